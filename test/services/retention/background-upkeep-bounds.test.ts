import type { ProgressStore } from '../../../src';
import { findDamagedRows, removeDamagedRows } from '../../../src/services/damaged-rows';
import { removeDamagedInSteps } from '../../../src/services/retention/damaged-row-upkeep';
import { repairFiguresUpkeep } from '../../../src/services/retention/figures-upkeep';
import { findBadFigures } from '../../../src/services/sync-figures-repair';
import { MaintenanceRun } from '../../../src/services/retention/maintenance-run';
import { retentionPolicy } from '../../../src/services/retention/retention-policy';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import {
  closeTestProgressStore,
  openTestProgressStore,
  rows,
  storeInternals,
} from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, runSlices, seed, storeMeta } from './retention-fixtures';

/**
 * What made background upkeep hold the caller's event loop for seconds (issue 14: one
 * slice of 5.9 s on a 504 MB file, measured at 13.8 s under load): the search for damaged
 * rows checked every row of the file in one go before the first yield, and the monthly
 * full VACUUM is one synchronous rewrite. Now the search is done in pieces between
 * slices, and a full VACUUM is never run by the store by itself (runMaintenance and
 * `cidx-progress maintain` still run it). Tested by mechanism, not by timing.
 */
const tmp = useTempDir();

beforeEach(() => jest.useFakeTimers({ doNotFake: ['performance'] }));
afterEach(() => jest.useRealTimers());

const lastVacuumAt = (store: ProgressStore) => storeMeta(store, 'last_vacuum_at');

/** Old syncs whose archiving frees most of the file: a full VACUUM is due and worth it. */
function neglectedFile(clock: ManualClock): void {
  const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  seed(
    store,
    ...Array.from({ length: 60 }, (_, i) => ({
      jobId: `old-${i}`,
      start: clock.now() - 40 * DAY + i * 60_000,
      trailRows: 300,
      outcome: 'completed' as const,
    })),
  );
  closeTestProgressStore(store);
}

describe('background upkeep never runs one long call', () => {
  it('leaves a due full VACUUM to runMaintenance(): its slices give the free pages back incrementally', () => {
    const clock = new ManualClock();
    neglectedFile(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    runSlices(store);
    const report = store.retention.upkeep.lastReport!;
    expect(report.removed.syncHistory.rows).toBe(60);
    expect(report.vacuum).toMatchObject({ kind: 'incremental', lockMs: 0 });
    expect(report.vacuum.reason).toMatch(
      /^full VACUUM due \(\d+% of pages free, never ran\), left to `cidx-progress maintain` or runMaintenance\(\)/,
    );
    expect(report.vacuum.bytesReclaimed).toBeGreaterThan(0);
    expect(report.size.after.freeBytes).toBe(0);
    expect(lastVacuumAt(store)).toBeUndefined();

    // The store goes on recording, and maintenance asked for still runs the VACUUM and reports its lock time.
    store.recording.startSync({ jobId: 'after' }).finish();
    seed(store, { jobId: 'older', start: clock.now() - 40 * DAY, trailRows: 3000, outcome: 'completed' });
    const asked = store.retention.runMaintenance();
    expect(asked.vacuum.kind).toBe('full');
    expect(asked.vacuum.lockMs).toBeGreaterThanOrEqual(0);
    expect(lastVacuumAt(store)).toBe(clock.now());
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'after'")).toEqual([
      { status: 'completed' },
    ]);
  });

  it('searches for damaged rows in pieces, and finds one past the first piece', () => {
    const clock = new ManualClock();
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(store, { jobId: 'long', start: clock.now() - DAY, trailRows: 2_400, outcome: 'completed' });
    const trail = rows<{ id: number }>(store, 'SELECT id FROM progress_updates ORDER BY id');
    expect(trail.length).toBeGreaterThanOrEqual(2_400);
    const last = trail[trail.length - 1]!.id;
    handEdit(
      store.path,
      'UPDATE progress_updates SET overall_progress = 250 WHERE id = ?',
      { ignoreChecks: true },
      last,
    );

    const run = new MaintenanceRun(
      storeInternals(store),
      retentionPolicy({}),
      false,
      store.retention.archiveDir,
    );
    const search = removeDamagedInSteps(run);
    let pieces = 0;
    let step = search.next();
    while (!step.done) {
      pieces += 1;
      step = search.next();
    }
    // At most 500 rows per piece: the trail alone takes five.
    expect(pieces).toBeGreaterThanOrEqual(5);
    expect(step.value).toEqual([
      expect.objectContaining({
        table: 'progress_updates',
        key: `id=${last}`,
        column: 'overall_progress',
        rowid: last,
      }),
    ]);
    expect(rows(store, 'SELECT id FROM progress_updates WHERE id = ?', last)).toEqual([]);
  });

  it('removes a row found damaged only if it still is: a row mended since the search stays, one gone is not counted', () => {
    const clock = new ManualClock();
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(store, { jobId: 'a', start: clock.now() - DAY, trailRows: 3, outcome: 'completed' });
    const [first, second, third] = rows<{ id: number }>(store, 'SELECT id FROM progress_updates ORDER BY id');
    for (const row of [first!, second!])
      handEdit(
        store.path,
        'UPDATE progress_updates SET overall_progress = 250 WHERE id = ?',
        { ignoreChecks: true },
        row.id,
      );
    const context = storeInternals(store);
    const found = findDamagedRows(context.repos.storedRows);
    expect(found).toHaveLength(2);

    handEdit(store.path, 'UPDATE progress_updates SET overall_progress = 10 WHERE id = ?', {}, first!.id);
    // And one found damaged that is gone since (another repair took it): not counted.
    handEdit(
      store.path,
      'UPDATE progress_updates SET overall_progress = 250 WHERE id = ?',
      { ignoreChecks: true },
      third!.id,
    );
    const again = findDamagedRows(context.repos.storedRows);
    handEdit(store.path, 'DELETE FROM progress_updates WHERE id = ?', {}, third!.id);
    const { removed } = removeDamagedRows(context, [
      ...found,
      ...again.filter((row) => row.rowid === third!.id),
    ]);
    expect(removed.map((row) => row.rowid)).toEqual([second!.id]);
    expect(rows(store, 'SELECT id FROM progress_updates WHERE id IN (?, ?)', first!.id, second!.id)).toEqual([
      { id: first!.id },
    ]);
  });

  it('repairs sync_figures a batch per write, each sized to the lock-time target like the archiver’s, a slice’s end after each', () => {
    const clock = new ManualClock();
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const history = new HistoryFactory(openTestStore(store.path));
    history.batch(() => {
      for (let i = 0; i < 1_200; i++)
        history.add({ startTime: clock.now() - DAY + i * 1_000, phaseDurations: { Indexing: i } });
    });
    // Every row gone but a few, two of those damaged: the repair must record about 1,200 syncs.
    handEdit(store.path, 'DELETE FROM sync_figures WHERE sync_id % 100 != 0');
    handEdit(store.path, 'UPDATE sync_figures SET figures = substr(figures, 9) WHERE sync_id IN (300, 700)');
    const context = storeInternals(store);
    const figures = context.repos.syncFigures;
    const run = new MaintenanceRun(context, retentionPolicy({}), false, store.retention.archiveDir);
    const batches: Array<{ limit: number; sized: number; recorded: number }> = [];
    const recordMissingIn = figures.recordMissingIn.bind(figures);
    const spy = jest.spyOn(figures, 'recordMissingIn').mockImplementation((range) => {
      const batch = recordMissingIn(range);
      batches.push({ limit: range.limit, sized: run.batchSize('syncs'), recorded: batch.recorded });
      return batch;
    });
    const steps = repairFiguresUpkeep(run);
    let slices = 0;
    let step = steps.next();
    while (!step.done) {
      slices += 1;
      step = steps.next();
    }
    spy.mockRestore();
    expect(step.value).toEqual({ removed: 2, recorded: 1_200 - 10 });
    // Each batch took what the run's sizer for syncs gave it (25 at first, then to the time
    // the last one held the lock), never more than a batch of syncs may be; one transaction each.
    expect(batches[0]!.limit).toBe(25);
    for (const batch of batches) {
      expect(batch.limit).toBe(batch.sized);
      expect(batch.recorded).toBeLessThanOrEqual(batch.limit);
      expect(batch.limit).toBeLessThanOrEqual(retentionPolicy({}).batchRows);
    }
    expect(batches.length).toBeGreaterThan(1);
    expect(run.transactions).toBe(batches.length);
    // The caller's event loop gets a turn after each transaction.
    expect(slices).toBeGreaterThanOrEqual(run.transactions);
    expect(findBadFigures(figures)).toEqual({ bad: [], missing: 0 });
  });
});
