import BetterSqlite3 from 'better-sqlite3';
import type { ProgressStore } from '../../../src';
import { childScript, startChild } from '../../support/child-process';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, lastMaintenanceAt, seed } from './retention-fixtures';

/**
 * A background slice runs on the caller's event loop: every write it makes waits for
 * another process's write lock only as long as the slice's bound (50 ms), never the
 * store's lockTimeoutMs. Checked by order, not by timing: a child holds the lock until
 * told to let go, and the slice must have returned before it is told.
 */
const tmp = useTempDir();

/** How soon a slice that found the write lock taken tries again. */
const LOCKED_RETRY_MS = 1_000;

function neglectedFile(clock: ManualClock): void {
  const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  seed(
    store,
    { jobId: 'stale', start: clock.now() - 8 * DAY, trailRows: 2, outcome: 'failed', checkpointFiles: 10 },
    { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 50, outcome: 'completed' },
  );
  closeTestProgressStore(store);
}

/** The store's slices driven by hand (the scheduler's timers are not the point here). */
const sliceOf = (store: ProgressStore) => () =>
  (store.retention as unknown as { background: { run(): number | null } }).background.run();

function runToEnd(store: ProgressStore, slice: () => number | null): void {
  for (let slices = 0; store.retention.upkeep.state !== 'idle'; slices++) {
    if (slices > 10_000) throw new Error(`maintenance still ${store.retention.upkeep.state}`);
    slice();
  }
}

describe('a background slice and another process holding the write lock', () => {
  it('returns while the lock is still held when taking the maintenance lease, then runs once it is free', async () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    // The store's own bound is long: only the slice's bound can make the slice return first.
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, lockTimeoutMs: 60_000 });
    const slice = sliceOf(store);
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, 'until-told']);
    await holder.waitForLine('locked');

    expect(slice()).toBe(LOCKED_RETRY_MS);
    holder.send('release');
    const held = await holder.exited;
    // The slice came back before the child was told to let go (not when its guard ran out).
    expect(held.stdout).toContain('committed told');
    expect(hasCheckpoint(store, 'stale')).toBe(true);
    expect(lastMaintenanceAt(store)).toBeUndefined();

    runToEnd(store, slice);
    expect(warnings).toEqual([]);
    expect(hasCheckpoint(store, 'stale')).toBe(false);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
  });

  it('after a lock timeout, does not run a second full run when another process finished one meanwhile', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    const slice = sliceOf(store);
    const other = new BetterSqlite3(store.path);
    try {
      // The run is found due; taking the lease finds the write lock taken: tried again later.
      other.exec('BEGIN IMMEDIATE');
      expect(slice()).toBe(LOCKED_RETRY_MS);
      other.exec('COMMIT');
    } finally {
      other.close();
    }
    expect(store.retention.upkeep.state).toBe('running');

    // Meanwhile another store (another process, as far as the file can tell) finishes a run.
    const { store: elsewhere } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    elsewhere.retention.runMaintenance();
    const finishedAt = clock.now();
    closeTestProgressStore(elsewhere);
    clock.advance(60_000);

    // Looked at again under the lease: not due, so nothing is run and nothing recorded.
    const delay = slice();
    expect(store.retention.upkeep).toEqual({ state: 'idle', lastReport: null });
    expect(lastMaintenanceAt(store)).toBe(finishedAt);
    // The next look is when the day since that run is over.
    expect(delay).toBe(DAY - 60_000 + 1);
    expect(warnings).toEqual([]);
  });
});
