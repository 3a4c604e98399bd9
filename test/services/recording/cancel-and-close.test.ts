import { childScript, startChild } from '../../support/child-process';
import { closeTestProgressStore, openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** How a sync's end is recorded when the caller says little, and when the file is busy. */
const tmp = useTempDir();

describe('ending a sync', () => {
  it('records a cancellation without a reason as "cancelled"', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'stopped', gitCommit: 'a'.repeat(40) });
    sync.cancel();
    const [row] = rows<{ status: string; errors: string }>(
      store,
      "SELECT status, errors FROM sync_history WHERE job_id = 'stopped'",
    );
    expect(row!.status).toBe('cancelled');
    expect(JSON.parse(row!.errors)).toEqual([
      expect.objectContaining({ code: 'CANCELLED', message: 'cancelled' }),
    ]);
  });

  it('release() of a sync that already ended changes nothing: its outcome and its row stay', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({
      jobId: 'ended',
      gitCommit: 'a'.repeat(40),
      files: ['src/a.ts'],
    });
    sync.fail('Network timeout');
    const before = rows(store, "SELECT * FROM sync_history WHERE job_id = 'ended'");
    sync.release();
    expect(sync.status).toBe('failed');
    expect(rows(store, "SELECT * FROM sync_history WHERE job_id = 'ended'")).toEqual(before);
  });

  it('a failure whose final checkpoint cannot be saved keeps the previous one and says so', async () => {
    const { store, warnings } = openTestProgressStore(tmp.path, {
      lockTimeoutMs: 10_000,
      recordLockTimeoutMs: 50,
    });
    const sync = store.recording.startSync({
      jobId: 'late-fail',
      gitCommit: 'a'.repeat(40),
      files: ['src/a.ts', 'src/b.ts'],
    });
    sync.update({
      phase: 'Indexing Files',
      percent: 50,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 2,
      rate: 0,
    });
    sync.completeFiles(['src/a.ts']);
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '400']);
    await holder.waitForLine('locked');
    sync.fail('Network timeout'); // the checkpoint gives up after 50 ms; the outcome waits for the lock
    expect(warnings).toContainEqual(
      expect.objectContaining({
        code: 'STORAGE',
        message: 'failed late-fail: the final checkpoint could not be saved; the previous one is kept',
      }),
    );
    await holder.exited;
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'late-fail',
      status: 'failed',
      canResume: true,
      filesProcessed: 0,
    });
  });

  it('closing while another process holds the lock warns instead of throwing, and the sync is still offered', async () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      lockTimeoutMs: 100,
      recordLockTimeoutMs: 50,
    });
    const sync = store.recording.startSync({
      jobId: 'busy-close',
      gitCommit: 'a'.repeat(40),
      files: ['src/a.ts'],
    });
    sync.update({
      phase: 'Indexing Files',
      percent: 50,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 1,
      rate: 0,
    });
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '1500']);
    await holder.waitForLine('locked');
    expect(() => closeTestProgressStore(store)).not.toThrow();
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'STORAGE', message: expect.stringMatching(/^release busy-close: /) }),
    );
    expect((await holder.exited).stdout).toContain('committed');

    // This process no longer records it, so the next run here is offered it.
    const next = openTestProgressStore(tmp.path, { clock });
    expect(next.store.resume.checkResumable()).toMatchObject({ jobId: 'busy-close', canResume: true });
  });
});
