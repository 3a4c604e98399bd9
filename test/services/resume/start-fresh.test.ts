import { ConflictError, DatabaseLockedError, NotFoundError, ValidationError } from '../../../src';
import { childScript, startChild } from '../../support/child-process';
import { handEdit } from '../../support/hand-edit';
import { closeTestProgressStore, openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { thrownBy } from '../../support/thrown-by';

/** startFresh(), and the sync a resume gives up when its checkpoint cannot be used. */
const tmp = useTempDir();
const COMMIT = 'b'.repeat(40);
const FILES = repoPaths(5);

/** A sync left running when its store closed, its last activity 5 s after its start. */
function leftRunning(jobId: string) {
  const first = openTestProgressStore(tmp.path);
  const sync = first.store.recording.startSync({ jobId, gitCommit: COMMIT, files: FILES });
  first.clock.advance(5_000);
  sync.completeFiles(FILES.slice(0, 2));
  sync.flush();
  closeTestProgressStore(first.store);
  return openTestProgressStore(tmp.path, { clock: first.clock, lockTimeoutMs: 100 });
}

const endAndActivity = (store: Parameters<typeof rows>[0], jobId: string) =>
  rows(
    store,
    'SELECT end_time AS endTime, last_activity_at AS lastActivityAt FROM sync_history WHERE job_id = ?',
    jobId,
  )[0];

describe('startFresh()', () => {
  it('records a sync whose process is gone as interrupted at its last sign of life', () => {
    const { store, clock } = leftRunning('gone');
    clock.advance(60_000);
    store.resume.startFresh('gone');
    const { endTime, lastActivityAt } = endAndActivity(store, 'gone')!;
    expect(endTime).toBe(lastActivityAt);
  });

  it('gives up a failed sync whose process is still alive', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'served', gitCommit: COMMIT, files: FILES }).fail('boom');
    handEdit(store.path, `UPDATE sync_history SET owner_pid = ${process.ppid} WHERE job_id = 'served'`);
    store.resume.startFresh('served');
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'failed' }]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints')).toEqual([{ n: 0 }]);
  });

  it('refuses a sync still running in a live process, naming the process', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'busy', gitCommit: COMMIT, files: FILES }).flush();
    handEdit(store.path, `UPDATE sync_history SET owner_pid = ${process.ppid} WHERE job_id = 'busy'`);
    const error = thrownBy(() => store.resume.startFresh('busy'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(`sync busy is still running in process ${process.ppid}`);
  });

  it('says which call refused, which job id it cannot find, and which write met the lock', async () => {
    const { store } = leftRunning('held');
    const invalid = thrownBy(() => store.resume.startFresh(''));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid.message).toMatch(/^startFresh: /);
    const missing = thrownBy(() => store.resume.startFresh('absent'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toBe('no sync with job id absent');

    const holder = startChild(childScript('hold-write-lock.js'), [store.path, 'until-told']);
    await holder.waitForLine('locked');
    let locked: Error;
    try {
      locked = thrownBy(() => store.resume.startFresh('held'));
    } finally {
      holder.send('done');
    }
    await holder.exited;
    expect(locked).toBeInstanceOf(DatabaseLockedError);
    expect(locked.message).toMatch(/^start fresh from held: /);
  });
});

describe('resume() of a sync whose checkpoint cannot be used', () => {
  it('ends the given-up sync at its last sign of life and plans every phase', () => {
    const { store, clock } = leftRunning('lost');
    handEdit(store.path, "DELETE FROM checkpoints WHERE job_id = 'lost'");
    clock.advance(60_000);
    const { plan } = store.resume.resume('lost');
    expect(plan).toMatchObject({ fullSyncRequired: true, skipPhases: [], filesSkipped: 0 });
    const { endTime, lastActivityAt } = endAndActivity(store, 'lost')!;
    expect(endTime).toBe(lastActivityAt);
  });
});
