import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { openProgressStore, type ProgressStore } from '../../../src';
import { upkeepScheduler } from '../../../src/db/upkeep-scheduler';
import { maintenanceReportSchema } from '../../../src/services/retention/maintenance-report';
import { ManualClock } from '../../support/manual-clock';
import {
  closeTestProgressStore,
  openTestProgressStore,
  rows,
  storeInternals,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, lastMaintenanceAt, runSlices, seed } from './retention-fixtures';

const tmp = useTempDir();

/**
 * The store's own slices run on timers: jest's fake ones, moved by hand. The real
 * performance.now() stays: SQLite's busy wait measures its bound with it.
 */
beforeEach(() => jest.useFakeTimers({ doNotFake: ['performance'] }));
afterEach(() => jest.useRealTimers());

/** Delay after open before the first slice. */
const START_DELAY_MS = 1_000;
/** How soon a slice that found the write lock taken tries again. */
const LOCKED_RETRY_MS = 1_000;

/** Let the store's slices run until its own maintenance is done; returns how many timer steps it took. */
/** A file with work for every step: an 8-day-old checkpoint, a 40-day-old sync with its trail. */
function neglectedFile(clock: ManualClock): void {
  const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  seed(
    store,
    { jobId: 'stale', start: clock.now() - 8 * DAY, trailRows: 2, outcome: 'failed', checkpointFiles: 10 },
    { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 50, outcome: 'completed' },
  );
  closeTestProgressStore(store);
}

const syncExists = (store: ProgressStore, jobId: string) =>
  rows(store, 'SELECT 1 FROM sync_history WHERE job_id = ?', jobId).length === 1;

describe('maintenance the store does by itself', () => {
  it('does none inside openProgressStore: open returns first, then slices run it to the end', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    // Nothing ran yet: not claimed in the file, nothing removed.
    expect(store.retention.upkeep).toEqual({ state: 'waiting', lastReport: null });
    expect(lastMaintenanceAt(store)).toBeUndefined();
    expect(hasCheckpoint(store, 'stale')).toBe(true);

    jest.advanceTimersByTime(START_DELAY_MS - 1);
    expect(store.retention.upkeep.state).toBe('waiting');
    jest.advanceTimersByTime(1);
    // The first slice began the run and did one piece; the rest is left for later slices.
    // The run is recorded in the file only once it has finished.
    expect(store.retention.upkeep.state).toBe('running');
    expect(lastMaintenanceAt(store)).toBeUndefined();
    expect(syncExists(store, 'old')).toBe(true);

    const steps = runSlices(store);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
    expect(steps).toBeGreaterThan(1);
    const report = store.retention.upkeep.lastReport!;
    expect(report).toMatchObject({ trigger: 'open', dryRun: false });
    expect(report.slices).toBeGreaterThan(2);
    expect(report.removed.checkpoints.rows).toBe(1);
    expect(report.removed.syncHistory.rows).toBe(1);
    expect(hasCheckpoint(store, 'stale')).toBe(false);
    expect(syncExists(store, 'old')).toBe(false);
    expect(maintenanceReportSchema.parse(report)).toEqual(report);
  });

  it('runs daily, by the last run recorded in the file, also in a store kept open', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    let { store } = openTestProgressStore(tmp.path, { clock });
    runSlices(store);
    const ranAt = clock.now();
    closeTestProgressStore(store);

    // Exactly a day later: not due. Just over: due.
    clock.advance(DAY);
    ({ store } = openTestProgressStore(tmp.path, { clock }));
    jest.advanceTimersByTime(START_DELAY_MS);
    expect(store.retention.upkeep).toEqual({ state: 'idle', lastReport: null });
    expect(lastMaintenanceAt(store)).toBe(ranAt);
    // Kept open: it looks again when the day is over.
    clock.advance(1);
    jest.advanceTimersByTime(1);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
    runSlices(store);
    expect(store.retention.upkeep.lastReport).toMatchObject({ trigger: 'open' });
  });

  it('stops when the store closes: no slice runs after, nothing is left scheduled', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const waiting = upkeepScheduler.size;
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(upkeepScheduler.size).toBe(waiting + 2); // its WAL merges and its maintenance
    jest.advanceTimersByTime(START_DELAY_MS);
    expect(store.retention.upkeep.state).toBe('running');
    closeTestProgressStore(store);
    expect(upkeepScheduler.size).toBe(waiting);
    jest.advanceTimersByTime(60_000);
    // What the first slice did stays done; the rest waits for the next run.
    expect(syncExists(store, 'old')).toBe(true);
    // A slice reached after close (it cannot be, once cancelled) would do nothing and stop.
    expect(
      (store.retention as unknown as { background: { run(): number | null } }).background.run(),
    ).toBeNull();
  });

  it('never runs a slice inside a transaction of the connection', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    const { sqlite } = storeInternals(store).connection;
    sqlite.exec('BEGIN');
    jest.advanceTimersByTime(START_DELAY_MS + 500);
    expect(sqlite.inTransaction).toBe(true);
    // No slice ran: the run was not even looked for.
    expect(store.retention.upkeep.state).toBe('waiting');
    sqlite.exec('COMMIT');
    jest.advanceTimersByTime(50);
    expect(store.retention.upkeep.state).toBe('running');
  });

  it('waits at most a short bound for a lock another process holds, then tries again later, quietly', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    const other = new BetterSqlite3(store.path);
    try {
      other.exec('BEGIN IMMEDIATE');
      jest.advanceTimersByTime(START_DELAY_MS); // the run is due; taking the lease finds the lock taken
      expect(store.retention.upkeep.state).toBe('running');
      expect(hasCheckpoint(store, 'stale')).toBe(true);
      other.exec('COMMIT');
      jest.advanceTimersByTime(LOCKED_RETRY_MS);
      expect(store.retention.upkeep.state).toBe('running');

      // Taken again mid-run: the run is dropped between two batches and starts over once free.
      other.exec('BEGIN IMMEDIATE');
      jest.advanceTimersByTime(20);
      expect(store.retention.upkeep.state).toBe('running');
      other.exec('COMMIT');
      jest.advanceTimersByTime(LOCKED_RETRY_MS);
      runSlices(store);
    } finally {
      other.close();
    }
    expect(warnings).toEqual([]);
    expect(syncExists(store, 'old')).toBe(false);
    expect(hasCheckpoint(store, 'stale')).toBe(false);
  });

  it('does not run with autoMaintenance: false', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    jest.advanceTimersByTime(2 * DAY);
    expect(store.retention.upkeep).toEqual({ state: 'off', lastReport: null });
    expect(lastMaintenanceAt(store)).toBeUndefined();
    expect(hasCheckpoint(store, 'stale')).toBe(true);
  });

  it('gives way to runMaintenance(), which does what was left in one go', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    jest.advanceTimersByTime(START_DELAY_MS);
    expect(store.retention.upkeep.state).toBe('running');
    const report = store.retention.runMaintenance();
    expect(report.slices).toBe(1);
    expect(syncExists(store, 'old')).toBe(false);
    expect(store.retention.upkeep.state).toBe('idle');
    jest.advanceTimersByTime(60_000);
    expect(store.retention.upkeep.lastReport).toBeNull();
  });

  it('runs again when the recorded run is in the future (the wall clock was set back)', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    clock.jumpWall(10 * DAY);
    const { store: first } = openTestProgressStore(tmp.path, { clock });
    runSlices(first);
    closeTestProgressStore(first);
    clock.jumpWall(-10 * DAY);
    const { store } = openTestProgressStore(tmp.path, { clock });
    jest.advanceTimersByTime(START_DELAY_MS);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
  });

  it('only warns when a slice fails: the store goes on recording', () => {
    const clock = new ManualClock();
    const { store: first } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(first, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    closeTestProgressStore(first);
    // The archive folder's name is taken by a file: archiving fails.
    fs.writeFileSync(first.retention.archiveDir, 'in the way');
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    expect(() => runSlices(store)).not.toThrow();
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'STORAGE',
        message: expect.stringMatching(/^background maintenance failed/),
      }),
    ]);
    const sync = store.recording.startSync({ jobId: 'after' });
    sync.finish();
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'after'")).toEqual([
      { status: 'completed' },
    ]);
    expect(syncExists(store, 'old')).toBe(true);
  });

  it('no longer trips over a damaged row: it archives and removes it, and says so (CORRUPT)', () => {
    const clock = new ManualClock();
    const { store: first } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(first, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    storeInternals(first)
      .connection.sqlite.prepare("UPDATE sync_history SET phases = '{not json' WHERE job_id = 'old'")
      .run();
    closeTestProgressStore(first);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    runSlices(store);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'CORRUPT',
        message: expect.stringMatching(
          /^maintenance removed 1 damaged row\(s\), 1 sync\(s\) archived first: sync_history job_id=old \(phases\)/,
        ),
      }),
    ]);
    expect(rows(store, "SELECT job_id FROM sync_history WHERE job_id = 'old'")).toEqual([]);
    store.recording.startSync({ jobId: 'after' }).finish();
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'after'")).toEqual([
      { status: 'completed' },
    ]);
  });

  it('runIfDue() runs a due run in one go, and nothing when not due', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(store.retention.runIfDue()).toMatchObject({ trigger: 'open', slices: 1 });
    expect(syncExists(store, 'old')).toBe(false);
    expect(store.retention.runIfDue()).toBeNull();
  });

  it('validates maxDatabaseBytes and autoMaintenance, naming the field', () => {
    const open = (extra: object) => () =>
      openProgressStore({ projectId: 'p', dir: tmp.path, ...extra } as never);
    for (const bad of [1000, 1.5e6 + 0.5, -1, '50MB', Number.NaN]) {
      expect(open({ maxDatabaseBytes: bad })).toThrow(
        expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('maxDatabaseBytes') }),
      );
    }
    expect(open({ autoMaintenance: 'no' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('autoMaintenance') }),
    );
    expect(fs.existsSync(`${tmp.path}/p.db`)).toBe(false);
    const store = openProgressStore({
      projectId: 'p',
      dir: tmp.path,
      maxDatabaseBytes: 2_000_000,
      onWarning: () => {},
    });
    expect(store.retention.policy.maxDatabaseBytes).toBe(2_000_000);
    store.close();
  });
});
