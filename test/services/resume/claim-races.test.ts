/**
 * @jest-environment ./test/support/shared-env-environment.js
 */
import { ConflictError, NotFoundError } from '../../../src';
import { GitRepo } from '../../support/git-repo';
import { raceAtGitDiff, raced } from '../../support/git-race';
import { handEdit } from '../../support/hand-edit';
import { closeTestProgressStore, openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { thrownBy } from '../../support/thrown-by';

/**
 * resume() reads and checks the checkpoint, and asks git what changed, before it takes the
 * write lock; under the lock it reads again. These tests have another process change the
 * store in that gap (see raceAtGitDiff), and check what the second read catches.
 */
const tmp = useTempDir();

/** A failed sync of a 10-file repository with 3 files indexed, and the store reopened. */
function failedSync(jobId: string) {
  const repo = new GitRepo(tmp.join('repo'));
  for (let i = 0; i < 10; i++) repo.write(`src/file-${i}.ts`, `export const v = ${i};\n`);
  const base = repo.commit('initial');
  const files = repo.files();
  const first = openTestProgressStore(tmp.join('store'));
  const sync = first.store.recording.startSync({ jobId, gitCommit: base, files });
  sync.completeFiles(files.slice(0, 3));
  sync.fail('Network timeout');
  closeTestProgressStore(first.store);
  return { repo, ...openTestProgressStore(tmp.join('store'), { clock: first.clock }) };
}

describe('resume() against another process acting while git is asked', () => {
  it('refuses with a conflict when the checkpoint was replaced meanwhile, and leaves the sync as it was', () => {
    const { repo, store } = failedSync('contested');
    const bin = tmp.join('bin');
    const race = raceAtGitDiff(
      bin,
      store.path,
      "UPDATE checkpoints SET seq = seq + 1 WHERE job_id = 'contested'",
    );
    let error: unknown;
    try {
      error = thrownBy(() => store.resume.resume('contested', { repoDir: repo.dir }));
    } finally {
      race.restore();
    }
    expect(raced(bin)).toBe(true);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('the checkpoint of contested changed while resuming');
    expect(rows(store, 'SELECT job_id AS jobId, status FROM sync_history')).toEqual([
      { jobId: 'contested', status: 'failed' },
    ]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints')).toEqual([{ n: 1 }]);
  });

  it('reports the sync as gone when it was removed meanwhile, and warns that it could not be cleared', () => {
    const { repo, store, warnings } = failedSync('removed');
    const bin = tmp.join('bin');
    const race = raceAtGitDiff(
      bin,
      store.path,
      "DELETE FROM checkpoints WHERE job_id = 'removed'; DELETE FROM sync_history WHERE job_id = 'removed';",
    );
    let error: unknown;
    try {
      error = thrownBy(() => store.resume.resume('removed', { repoDir: repo.dir }));
    } finally {
      race.restore();
    }
    expect(raced(bin)).toBe(true);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('no sync with job id removed');
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'STORAGE', message: 'could not clear removed after a failed resume' }),
    );
    expect(rows(store, 'SELECT count(*) AS n FROM sync_history')).toEqual([{ n: 0 }]);
  });
});

describe('a sync without a checkpoint', () => {
  it('resumed by its job id, starts over with the reason', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'bare', gitCommit: 'a'.repeat(40), files: repoPaths(3) }).fail('boom');
    handEdit(store.path, "DELETE FROM checkpoints WHERE job_id = 'bare'");
    const { plan } = store.resume.resume('bare');
    expect(plan.fullSyncRequired).toBe(true);
    expect(plan.reason).toBe('full sync required: sync bare has no checkpoint');
  });

  it('left running by a process that is gone is offered as not resumable: no checkpoint was saved', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { staleAfterMs: 60_000 });
    store.recording.startSync({ jobId: 'remote', gitCommit: 'b'.repeat(40), files: repoPaths(3) }).update({
      phase: 'Indexing Files',
      percent: 60,
      phasePercent: 30,
      filesProcessed: 1,
      totalFiles: 3,
      rate: 1,
    });
    handEdit(store.path, "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1");
    handEdit(store.path, 'DELETE FROM checkpoints');
    clock.advance(61_000);
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'remote',
      canResume: false,
      reason: 'no checkpoint was saved',
      // Without a checkpoint, the counts are the last progress the sync reported.
      filesProcessed: 1,
      totalFiles: 3,
      filesRemaining: 2,
    });
  });
});

describe('a sync whose stored owner is damaged', () => {
  it('is not resumed when its stored status is not resumable, with a conflict that says so', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'done', gitCommit: 'c'.repeat(40), files: repoPaths(3) }).finish();
    // Damage the owner column only: the row can no longer be trusted, its status still says completed.
    handEdit(store.path, "UPDATE sync_history SET owner_pid = -5 WHERE job_id = 'done'", {
      ignoreChecks: true,
    });
    const error = thrownBy(() => store.resume.resume('done'));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(
      'sync done can no longer be resumed: its stored status is completed',
    );
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'completed' }]);
    expect(rows(store, 'SELECT count(*) AS n FROM sync_history')).toEqual([{ n: 1 }]);
  });
});
