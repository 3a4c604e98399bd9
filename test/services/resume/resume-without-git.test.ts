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
