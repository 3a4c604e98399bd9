import type { FilledHistoryReport, ProgressStore } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { recordFiguresAgain } from '../../support/record-figures-again';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

/**
 * The report reads each completed sync's figures as recorded when it completed
 * (sync_figures), and computes them from sync_history instead whenever those records are
 * not exactly the window's completed syncs or a value in them is not as written. To tell
 * the two apart, every sync's history is edited after it completed: the recorded figures
 * say 100/200/300 ms of indexing, the history says 1000 ms for each.
 */
const tmp = useTempDir();
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const RECORDED = { meanMs: 200, p50Ms: 200, p90Ms: 300 };
const COMPUTED = { meanMs: 1000, p50Ms: 1000, p90Ms: 1000 };

function indexing(store: ProgressStore) {
  const report = store.metrics.report({ timeZone: 'UTC' });
  if (report.empty) throw new Error('expected a filled report');
  const { meanMs, p50Ms, p90Ms } = (report as FilledHistoryReport).phases.find((p) => p.name === 'Indexing')!;
  return { meanMs, p50Ms, p90Ms };
}

/** Three completed syncs (one a resume chain), their history then edited to 1000 ms each. */
function editedHistory(phaseLists: 'one list' | 'two lists' = 'one list') {
  const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW) });
  const history = new HistoryFactory(openTestStore(store.path));
  const other: Record<string, number> = phaseLists === 'two lists' ? { Fetch: 7 } : {};
  history.add({ startTime: NOW - 5 * HOUR, phaseDurations: { Indexing: 100 } });
  history.addChain([
    { startTime: NOW - 4 * HOUR, status: 'failed', phaseDurations: { Indexing: 150 } },
    { startTime: NOW - 4 * HOUR + 60_000, phaseDurations: { Indexing: 50, ...other } },
  ]);
  history.add({ startTime: NOW - 3 * HOUR, phaseDurations: { Indexing: 300 } });
  handEdit(
    store.path,
    `UPDATE sync_history SET phase_durations = '{"Indexing": 1000}' WHERE resumed_from_job_id IS NULL`,
  );
  handEdit(
    store.path,
    `UPDATE sync_history SET phase_durations = '{"Indexing": 0}' WHERE resumed_from_job_id IS NOT NULL`,
  );
  return store;
}

describe('report() and the figures recorded when each sync completed', () => {
  it.each(['one list', 'two lists'] as const)(
    'reads the recorded figures while they are the window’s completed syncs (phase names: %s)',
    (lists) => {
      expect(indexing(editedHistory(lists))).toEqual(RECORDED);
    },
  );

  it('computes them from sync_history when a completed sync has none recorded', () => {
    const store = editedHistory();
    expect(
      handEdit(
        store.path,
        `DELETE FROM sync_figures WHERE sync_id = (SELECT MIN(sync_id) FROM sync_figures)`,
      ),
    ).toBe(1);
    expect(indexing(store)).toEqual(COMPUTED);
  });

  it('computes them when a recorded sync is no longer completed', () => {
    const store = editedHistory();
    handEdit(
      store.path,
      `UPDATE sync_history SET status = 'failed' WHERE id = (SELECT MAX(sync_id) FROM sync_figures)`,
    );
    // Left: the first sync (1000) and the chain (1000 + 0).
    expect(indexing(store)).toEqual(COMPUTED);
  });

  // The edited sync has one phase: its figures are duration, files, bytes, Indexing (8 bytes each).
  it.each([
    ['figures that are text', `figures = 'oops'`],
    ['one figure short', `figures = substr(figures, 1, 24)`],
    ['one figure too many', `figures = figures || zeroblob(8)`],
    ['a negative duration', `figures = unhex('ffffffffffffffff') || substr(figures, 9)`],
    [
      'a file count below -1',
      `figures = substr(figures, 1, 8) || unhex('fffffffffffffffe') || substr(figures, 17)`,
    ],
    [
      'a byte count past 2^53 - 1',
      `figures = substr(figures, 1, 16) || unhex('0020000000000000') || substr(figures, 25)`,
    ],
    ['a phase duration past 2^53 - 1', `figures = substr(figures, 1, 24) || unhex('7fffffffffffffff')`],
    ['names that are not JSON', `phase_names = 'Indexing'`],
    ['a name twice', `phase_names = '["Indexing","Indexing"]', figures = figures || zeroblob(8)`],
    ['a fractional start', `start_time = start_time + 0.5`],
  ])('computes them when a recorded value is not as written: %s', (_label, assignment) => {
    const store = editedHistory();
    expect(
      handEdit(
        store.path,
        `UPDATE sync_figures SET ${assignment} WHERE sync_id = (SELECT MAX(sync_id) FROM sync_figures)`,
      ),
    ).toBe(1);
    expect(indexing(store)).toEqual(COMPUTED);
  });

  it('gives the figures the upgrade records for rows written before the table existed', () => {
    const store = editedHistory();
    recordFiguresAgain(store.path);
    expect(indexing(store)).toEqual(COMPUTED);
  });
});

describe('report() over phase durations with a NUL inside', () => {
  // SQLite's JSON reads the text up to the NUL and calls it valid; JavaScript's JSON.parse
  // refuses it. Recorded or computed, the sync's phase durations are damage: skipped.
  it.each(['as recorded', 'computed'] as const)('skips them, %s', (figures) => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW) });
    const history = new HistoryFactory(openTestStore(store.path));
    history.add({ startTime: NOW - 3 * HOUR, phaseDurations: { Indexing: 100 } });
    const edited = history.add({ startTime: NOW - 2 * HOUR, phaseDurations: { Indexing: 300 } });
    handEdit(
      store.path,
      `UPDATE sync_history SET phase_durations = '{"Indexing": 5}' || char(0) || ',{"Indexing": 7}' WHERE job_id = ?`,
      {},
      edited,
    );
    recordFiguresAgain(store.path, { clear: figures === 'computed' });
    const report = store.metrics.report({ timeZone: 'UTC' }) as FilledHistoryReport;
    expect(report.success).toMatchObject({ syncs: 2, succeeded: 2 });
    expect(report.phases.map(({ name, syncs, meanMs }) => ({ name, syncs, meanMs }))).toEqual([
      { name: 'Indexing', syncs: 1, meanMs: 100 },
    ]);
  });
});
