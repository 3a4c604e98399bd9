import fs from 'node:fs';
import { GitRepo } from '../../support/git-repo';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** Resuming against a folder git cannot answer for: a full sync, and the plan says why. */
const tmp = useTempDir();
const COMMIT = 'c0ffee0000000000000000000000000000000003';

function interrupted(): string {
  const { store } = openTestProgressStore(tmp.join('store'));
  const sync = store.recording.startSync({ jobId: 'nogit', gitCommit: COMMIT, files: repoPaths(4) });
  sync.completeFiles(repoPaths(4).slice(0, 2));
  sync.flush();
  closeTestProgressStore(store);
  return sync.jobId;
}

describe('resume with a repoDir git cannot read', () => {
  it.each([
    [
      'a folder that is not a repository',
      () => {
        fs.mkdirSync(tmp.join('plain'));
        return tmp.join('plain');
      },
    ],
    ['a repository with no commit yet', () => new GitRepo(tmp.join('empty-repo')).dir],
  ])('requires a full sync for %s', (_what, makeDir) => {
    const jobId = interrupted();
    const repoDir = makeDir();
    const { store } = openTestProgressStore(tmp.join('store'));
    const { plan } = store.resume.resume(jobId, { repoDir });
    expect(plan).toMatchObject({ fullSyncRequired: true, filesSkipped: 0, filesToProcess: [] });
    expect(plan.reason).toBe(`full sync required: ${repoDir} is not a git repository with a HEAD commit`);
  });
});

describe('a checkpoint without a commit, and a sync already resumed', () => {
  it('requires a full sync, and says the checkpoint has nothing to compare with', () => {
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ jobId: 'nocommit', files: repoPaths(3) });
    sync.completeFiles(repoPaths(3).slice(0, 1));
    sync.flush();
    closeTestProgressStore(first.store);
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a');
    repo.commit('initial');
    const { store } = openTestProgressStore(tmp.join('store'));
    const { plan } = store.resume.resume('nocommit', { repoDir: repo.dir });
    expect(plan).toMatchObject({
      fullSyncRequired: true,
      reason:
        'full sync required: no git commit was recorded with this sync, so the changes made since it stopped cannot be merged',
    });
  });

  it('startFresh on a sync already resumed is a conflict that names the resuming sync', () => {
    const first = openTestProgressStore(tmp.join('store'));
    first.store.recording.startSync({ jobId: 'once', files: repoPaths(2) }).flush();
    closeTestProgressStore(first.store);
    const { store } = openTestProgressStore(tmp.join('store'));
    const { sync } = store.resume.resume('once', { changes: [] });
    expect(() => store.resume.startFresh('once')).toThrow(`sync once was already resumed by ${sync.jobId}`);
  });
});
