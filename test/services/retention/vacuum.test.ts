import type { SyncSpec } from '../../support/heavy-month';
import {
  closeTestProgressStore,
  openTestProgressStore,
  rows,
  storeInternals,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { ManualClock } from '../../support/manual-clock';
import { DAY, seed } from './retention-fixtures';

const tmp = useTempDir();

function open(clock: ManualClock) {
  return openTestProgressStore(tmp.path, { autoMaintenance: false, clock }).store;
}

/** Old syncs whose archiving frees most of the file. */
function oldSyncs(now: number, tag: string, count = 60): SyncSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    jobId: `${tag}-${i}`,
    start: now - 40 * DAY + i * 60_000,
    trailRows: 300,
    outcome: 'completed' as const,
  }));
}

const lastVacuumAt = (store: Parameters<typeof rows>[0]) =>
  rows<{ value: number }>(store, "SELECT value FROM store_meta WHERE key = 'last_vacuum_at'")[0]?.value;

describe('vacuum', () => {
  it('runs a full VACUUM at most monthly, remembered in the file across reopening', () => {
    const clock = new ManualClock();
    let store = open(clock);
    seed(store, ...oldSyncs(clock.now(), 'a'));
    const first = store.retention.runMaintenance();
    expect(first.vacuum.kind).toBe('full');
    expect(first.vacuum.reason).toMatch(/never ran/);
    expect(first.vacuum.bytesReclaimed).toBeGreaterThan(0);
    expect(first.size.after.fileBytes).toBeLessThan(first.size.before.fileBytes);
    expect(lastVacuumAt(store)).toBe(clock.now());
    const vacuumedAt = clock.now();
    closeTestProgressStore(store);

    // Just under a month later, in a new process (a reopened store): not due, however much is free.
    clock.advance(30 * DAY - 1);
    store = open(clock);
    seed(store, ...oldSyncs(clock.now(), 'b'));
    const second = store.retention.runMaintenance();
    expect(second.vacuum).toMatchObject({ kind: 'incremental' });
    expect(second.vacuum.reason).toMatch(/not due \(last ran 29 days ago/);
    expect(second.vacuum.bytesReclaimed).toBeGreaterThan(0);
    expect(second.size.after.freeBytes).toBe(0);
    expect(lastVacuumAt(store)).toBe(vacuumedAt);
    closeTestProgressStore(store);

    // A month after the last one: due again.
    clock.advance(1);
    store = open(clock);
    seed(store, ...oldSyncs(clock.now(), 'c'));
    const third = store.retention.runMaintenance();
    expect(third.vacuum.kind).toBe('full');
    expect(third.vacuum.reason).toMatch(/last ran 30 days ago/);
    expect(lastVacuumAt(store)).toBe(clock.now());
  });

  it('does not run a full VACUUM when too few pages are free', () => {
    const clock = new ManualClock();
    const store = open(clock);
    // Recent syncs, not yet compacted, and two old ones to archive.
    seed(store, ...oldSyncs(clock.now(), 'recent').map((s) => ({ ...s, start: clock.now() - 30 * 60_000 })));
    seed(store, ...oldSyncs(clock.now(), 'old', 2));
    const report = store.retention.runMaintenance();
    expect(report.vacuum.kind).toBe('none');
    expect(report.vacuum.reason).toMatch(/not worth it \(\d+% of pages free, below 25%; never ran\)/);
    expect(lastVacuumAt(store)).toBeUndefined();
  });

  it('postpones a full VACUUM while a sync is running, and gives free pages back instead', () => {
    const clock = new ManualClock();
    const store = open(clock);
    seed(store, ...oldSyncs(clock.now(), 'a'));
    const live = store.recording.startSync({ jobId: 'live' });
    const report = store.retention.runMaintenance();
    expect(report.vacuum.kind).toBe('incremental');
    expect(report.vacuum.reason).toMatch(/postponed: a sync is running/);
    expect(lastVacuumAt(store)).toBeUndefined();
    live.finish();
  });

  it("reports a full VACUUM's lock time apart from the batches' longest transaction", () => {
    const clock = new ManualClock();
    // Wall time by hand (the policy's ages), monotonic time real (the lock times).
    const timing = { now: () => clock.now(), monotonic: () => performance.now() };
    const store = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      clock: timing as unknown as ManualClock,
    }).store;
    seed(store, ...oldSyncs(clock.now(), 'a'));
    const full = store.retention.runMaintenance();
    expect(full.vacuum.kind).toBe('full');
    expect(full.vacuum.lockMs).toBeGreaterThan(0);
    expect(full.transactions).toBeGreaterThan(1);
    expect(full.longestTransactionMs).toBeGreaterThan(0);
    // In one go, the caller's event loop waited on the whole run.
    expect(full).toMatchObject({ slices: 1 });
    expect(full.longestSliceMs).toBeGreaterThanOrEqual(full.durationMs);
    seed(store, ...oldSyncs(clock.now(), 'b'));
    const incremental = store.retention.runMaintenance();
    expect(incremental.vacuum).toMatchObject({ kind: 'incremental', lockMs: 0 });
  });

  it('trusts no last VACUUM time in the future (a wall clock set back)', () => {
    const clock = new ManualClock();
    const store = open(clock);
    seed(store, ...oldSyncs(clock.now(), 'a'));
    const { repos } = storeInternals(store);
    repos.storeMeta.set('last_vacuum_at', clock.now() + 10 * DAY);
    expect(store.retention.runMaintenance().vacuum.kind).toBe('full');
  });
});
