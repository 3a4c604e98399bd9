/**
 * @jest-environment ./test/support/shared-env-environment.js
 */
import { GitRepo } from '../../support/git-repo';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

describe('resume with no git on PATH', () => {
  it('requires a full sync and says that git was not found, not that the folder is no repository', () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a');
    const commit = repo.commit('initial');
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({
      jobId: 'gitless',
      gitCommit: commit,
      files: repoPaths(4),
    });
    sync.completeFiles(repoPaths(4).slice(0, 2));
    sync.flush();
    closeTestProgressStore(first.store);

    const { store } = openTestProgressStore(tmp.join('store'), { clock: first.clock });
    const savedPath = process.env.PATH;
    process.env.PATH = tmp.join('no-git-here');
    let plan;
    try {
      ({ plan } = store.resume.resume('gitless', { repoDir: repo.dir }));
    } finally {
      process.env.PATH = savedPath;
    }
    expect(plan).toMatchObject({ fullSyncRequired: true, filesSkipped: 0 });
    expect(plan.reason).toBe('full sync required: git was not found on PATH');
  });
});
