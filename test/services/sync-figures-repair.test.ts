import fs from 'node:fs';
import type { HistoryReport, ProgressStore } from '../../src';
import { findBadFigures } from '../../src/services/sync-figures-repair';
import { handEdit } from '../support/hand-edit';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore, storeInternals } from '../support/progress-store';
import { closeTestStore, openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/**
 * A `sync_figures` row damaged or deleted by hand is found (doctor) and put right (doctor
 * --repair, maintenance): the bad row deleted and the sync's figures recorded again from
 * `sync_history`, after which the report reads the stored rows again and gives the figures
 * of an undamaged copy of the file.
 */
const tmp = useTempDir();
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const NEWEST = `(SELECT MAX(sync_id) FROM sync_figures)`;

/** Completed syncs (one a resume chain, two phase lists) and a failed one; closed, with an undamaged copy. */
function history(): { dbPath: string; copy: string } {
  const { store } = openTestProgressStore(tmp.join('live'), { clock: new ManualClock(NOW) });
  const connection = openTestStore(store.path);
  const history = new HistoryFactory(connection);
  history.add({ startTime: NOW - 6 * HOUR, phaseDurations: { Indexing: 100, Fetch: 3 }, filesIndexed: 9 });
  history.addChain([
    { startTime: NOW - 5 * HOUR, status: 'failed', phaseDurations: { Indexing: 150 } },
    { startTime: NOW - 5 * HOUR + 60_000, phaseDurations: { Indexing: 50 }, bytesProcessed: 4096 },
  ]);
  history.add({ startTime: NOW - 4 * HOUR, status: 'failed', phaseDurations: { Indexing: 70 } });
  history.add({ startTime: NOW - 3 * HOUR, phaseDurations: { Indexing: 300, Fetch: 7 } });
  history.add({ startTime: NOW - 2 * HOUR, phaseDurations: { Indexing: 250 } });
  const dbPath = store.path;
  closeTestStore(connection);
  closeTestProgressStore(store);
  const copy = tmp.join('copy.db');
  fs.copyFileSync(dbPath, copy);
  return { dbPath, copy };
}

function reopen(): ProgressStore {
  return openTestProgressStore(tmp.join('live'), { clock: new ManualClock(NOW), autoMaintenance: false })
    .store;
}

/** The report, and whether it computed any window's figures from sync_history. */
function reportOf(store: ProgressStore): { report: HistoryReport; computed: boolean } {
  const figures = storeInternals(store).repos.syncFigures;
  const computed = jest.spyOn(figures, 'computed');
  try {
    const report = store.metrics.report({ timeZone: 'UTC' });
    return { report, computed: computed.mock.calls.length > 0 };
  } finally {
    computed.mockRestore();
  }
}

function undamagedReport(copy: string): HistoryReport {
  const { store } = openTestProgressStore(tmp.join('copy'), {
    clock: new ManualClock(NOW),
    autoMaintenance: false,
  });
  const path = store.path;
  closeTestProgressStore(store);
  fs.copyFileSync(copy, path);
  const reopened = openTestProgressStore(tmp.join('copy'), {
    clock: new ManualClock(NOW),
    autoMaintenance: false,
  }).store;
  const { report, computed } = reportOf(reopened);
  expect(computed).toBe(false);
  return report;
}

// Each a hand edit of sync_figures alone (sync_history untouched), and what doctor says of it.
const DAMAGE: Array<[string, string, RegExp | null]> = [
  [
    'a blob one figure short',
    `UPDATE sync_figures SET figures = substr(figures, 1, 24) WHERE sync_id = ${NEWEST}`,
    /figures/,
  ],
  [
    'a blob one figure too long',
    `UPDATE sync_figures SET figures = CAST(figures || zeroblob(8) AS BLOB) WHERE sync_id = ${NEWEST}`,
    /figures/,
  ],
  ['figures that are text', `UPDATE sync_figures SET figures = 'oops' WHERE sync_id = ${NEWEST}`, /figures/],
  [
    'names that are not JSON',
    `UPDATE sync_figures SET phase_names = 'Indexing' WHERE sync_id = ${NEWEST}`,
    /phase names/,
  ],
  [
    'names that are an object',
    `UPDATE sync_figures SET phase_names = '{"Indexing":1}' WHERE sync_id = ${NEWEST}`,
    /phase names/,
  ],
  [
    'a name twice',
    `UPDATE sync_figures SET phase_names = '["Indexing","Indexing"]', figures = CAST(figures || zeroblob(8) AS BLOB) WHERE sync_id = ${NEWEST}`,
    /phase names/,
  ],
  [
    'a negative duration',
    `UPDATE sync_figures SET figures = CAST(unhex('ffffffffffffffff') || substr(figures, 9) AS BLOB) WHERE sync_id = ${NEWEST}`,
    /out of range/,
  ],
  [
    'a byte count past 2^53 - 1',
    `UPDATE sync_figures SET figures = CAST(substr(figures, 1, 16) || unhex('0020000000000000') || substr(figures, 25) AS BLOB) WHERE sync_id = ${NEWEST}`,
    /out of range/,
  ],
  [
    'a fractional start',
    `UPDATE sync_figures SET start_time = start_time + 0.5 WHERE sync_id = ${NEWEST}`,
    /start/,
  ],
  [
    'a start that is not its sync’s',
    `UPDATE sync_figures SET start_time = start_time - 400 * 86400000 WHERE sync_id = ${NEWEST}`,
    /completed sync/,
  ],
  [
    'a row of a sync that is not completed',
    `INSERT INTO sync_figures SELECT s.id, f.project_id, s.start_time, f.phase_names, f.figures FROM sync_history s, sync_figures f WHERE s.status = 'failed' AND s.resumed_by_job_id IS NULL AND f.sync_id = ${NEWEST}`,
    /completed sync/,
  ],
  [
    'a row of no sync at all',
    `INSERT INTO sync_figures SELECT sync_id + 1000, project_id, start_time, phase_names, figures FROM sync_figures WHERE sync_id = ${NEWEST}`,
    /completed sync/,
  ],
  ['a row deleted', `DELETE FROM sync_figures WHERE sync_id = (SELECT MIN(sync_id) FROM sync_figures)`, null],
  ['every row deleted', `DELETE FROM sync_figures`, null],
];

describe('damaged or missing sync_figures rows', () => {
  it.each(DAMAGE)('are found, reading only: %s', (_label, edit, why) => {
    const { dbPath } = history();
    expect(handEdit(dbPath, edit)).toBeGreaterThan(0);
    const store = reopen();
    const before = fs.readFileSync(dbPath);
    const found = findBadFigures(storeInternals(store).repos.syncFigures);
    if (why) {
      expect(found.bad).toEqual([{ syncId: expect.any(Number), why: expect.stringMatching(why) }]);
    } else {
      expect(found.bad).toEqual([]);
      expect(found.missing).toBeGreaterThan(0);
    }
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
    // The report still gives figures, computed the slow way.
    expect(reportOf(store).computed).toBe(true);
  });

  it('are not found in an undamaged file', () => {
    const { dbPath } = history();
    handEdit(dbPath, `UPDATE sync_history SET phase_durations = '{"Indexing": 1.5}' WHERE id = ${NEWEST}`);
    const store = reopen();
    // A sync with a fraction in its figures has no row by design: not a missing one.
    handEdit(dbPath, `DELETE FROM sync_figures WHERE sync_id = ${NEWEST}`);
    expect(findBadFigures(storeInternals(store).repos.syncFigures)).toEqual({ bad: [], missing: 0 });
  });

  it.each(DAMAGE)(
    'are put right by store.removeDamagedRows(), as doctor --repair runs it: %s',
    (_label, edit) => {
      const { dbPath, copy } = history();
      handEdit(dbPath, edit);
      const store = reopen();
      const result = store.removeDamagedRows();
      expect(result.removed).toEqual([]);
      expect(result.figures.removed + result.figures.recorded).toBeGreaterThan(0);
      expect(findBadFigures(storeInternals(store).repos.syncFigures)).toEqual({ bad: [], missing: 0 });
      const { report, computed } = reportOf(store);
      expect(computed).toBe(false);
      expect(report).toEqual(undamagedReport(copy));
      expect(store.removeDamagedRows().figures).toEqual({ removed: 0, recorded: 0 });
    },
  );

  it.each(DAMAGE)('are put right by maintenance: %s', (_label, edit) => {
    const { dbPath, copy } = history();
    handEdit(dbPath, edit);
    const { store, warnings } = openTestProgressStore(tmp.join('live'), {
      clock: new ManualClock(NOW),
      autoMaintenance: false,
    });
    expect(store.retention.runMaintenance({ dryRun: true }).dryRun).toBe(true);
    expect(reportOf(store).computed).toBe(true);
    store.retention.runMaintenance();
    const { report, computed } = reportOf(store);
    expect(computed).toBe(false);
    expect(report).toEqual(undamagedReport(copy));
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringMatching(/sync_figures/) }),
    );
  });
});
