import { DatabaseLockedError } from '../../src';
import { childScript, startChild } from '../support/child-process';
import { openTestProgressStore, rows } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

const update = (percent: number) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 0,
  filesProcessed: 0,
  totalFiles: 0,
  rate: 0,
});

describe('another process holding the write lock', () => {
  it('makes the store wait and retry, and succeed once the lock goes', async () => {
    const { store } = openTestProgressStore(tmp.path, { lockTimeoutMs: 10_000 });
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '400']);
    await holder.waitForLine('locked');
    const sync = store.recording.startSync({ jobId: 'waited' }); // blocks until the lock goes, then commits
    expect((await holder.exited).stdout).toContain('committed');
    expect(rows(store, 'SELECT job_id FROM sync_history')).toEqual([{ job_id: 'waited' }]);
    sync.finish();
  });

  it('fails with a typed error once the lock outlasts the bound', async () => {
    const { store } = openTestProgressStore(tmp.path, { lockTimeoutMs: 200 });
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '2000']);
    await holder.waitForLine('locked');
    expect(() => store.recording.startSync({ jobId: 'too-late' })).toThrow(DatabaseLockedError);
    await holder.exited;
    expect(rows(store, 'SELECT count(*) AS n FROM sync_history')).toEqual([{ n: 0 }]);
  });

  it('never throws into the sync loop: a progress write that cannot get the lock is retried with the latest state', async () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      recordLockTimeoutMs: 50,
      throttleMs: 1000,
    });
    const sync = store.recording.startSync({ jobId: 'busy' });
    sync.update(update(46));
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '600']);
    await holder.waitForLine('locked');
    clock.advance(1000);
    expect(() => sync.update(update(47))).not.toThrow();
    expect(warnings.map((w) => w.code)).toContain('LOCKED');
    clock.advance(500);
    sync.update(update(48)); // within the retry pause: nothing tried
    await holder.exited;
    clock.advance(1000);
    sync.update(update(49));
    const trail = rows<{ overall_progress: number }>(
      store,
      "SELECT overall_progress FROM progress_updates WHERE job_id = 'busy' ORDER BY id",
    );
    expect(trail.map((r) => r.overall_progress)).toEqual([46, 49]);
  });
});
