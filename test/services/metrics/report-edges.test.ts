import { Settings } from 'luxon';
import { type FilledHistoryReport, type ProgressStore, StorageError, ValidationError } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import {
  closeTestProgressStore,
  openStoreWithHistory,
  openTestProgressStore,
} from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

/** Figures of the report at their edges: what a user reads when a value is at a limit. */
const tmp = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Thursday 2026-11-26 09:00 UTC. */
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const PHASES = [
  { name: 'Fetch', weight: 0.3 },
  { name: 'Indexing', weight: 0.7 },
];

function setup() {
  return openStoreWithHistory(tmp.path, NOW);
}

function filled(store: ProgressStore, days = 7): FilledHistoryReport {
  const report = store.metrics.report({ days, timeZone: 'UTC' });
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

describe('report() at the edges of its figures', () => {
  it('has no mean memory or CPU when no run reported them (not NaN)', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - HOUR, peakMemoryBytes: null, meanCpuPercent: null });
    expect(filled(store).resources).toEqual({
      runs: 0,
      meanPeakMemoryBytes: null,
      peakMemoryBytes: null,
      meanCpuPercent: null,
    });
  });

  it('lists 20 failure points and counts every failure in the total', () => {
    const { store, history } = setup();
    history.batch(() => {
      for (let i = 0; i < 21; i++)
        history.add({
          startTime: NOW - (i + 1) * HOUR,
          status: 'failed',
          error: { code: `E_${String(i).padStart(2, '0')}`, message: `failure ${i}` },
        });
    });
    const { failures } = filled(store);
    expect(failures.total).toBe(21);
    expect(failures.points).toHaveLength(20);
  });

  it('gives a completed sync no reason, even when its row holds an error entry', () => {
    const { store, history } = setup();
    const jobId = history.add({ startTime: NOW - HOUR });
    handEdit(
      store.path,
      `UPDATE sync_history SET errors = json_array(json_object('code', 'E_SOFT', 'message', 'a file was skipped', 'phase', NULL, 'at', start_time)) WHERE job_id = ?`,
      {},
      jobId,
    );
    expect(filled(store).recent).toEqual([
      expect.objectContaining({ jobId, status: 'completed', reason: null, errorCode: null }),
    ]);
  });

  it('gives a failed sync no reason when its first error entry has no text message', () => {
    const { store, history } = setup();
    const jobId = history.add({ startTime: NOW - HOUR, status: 'failed' });
    handEdit(
      store.path,
      `UPDATE sync_history SET errors = '[{"code":"E_ODD","message":5}]' WHERE job_id = ?`,
      {},
      jobId,
    );
    expect(filled(store).recent).toEqual([
      expect.objectContaining({ jobId, status: 'failed', reason: null, errorCode: null }),
    ]);
  });

  it('calls a phase 5.0% slower than the previous window "slower", not stable', () => {
    const { store, history } = setup();
    history.add({
      startTime: NOW - 10 * DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 1000, Indexing: 1000 },
    });
    history.add({ startTime: NOW - DAY, phases: PHASES, phaseDurations: { Fetch: 1050, Indexing: 1000 } });
    expect(filled(store).phases.find((p) => p.name === 'Fetch')!.trend).toEqual({
      previousMeanMs: 1000,
      percentChange: 5,
      direction: 'slower',
    });
  });

  it('has a long-term trend from two completed syncs on different days', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - 3 * DAY, totalDuration: 10_000 });
    history.add({ startTime: NOW - DAY, totalDuration: 20_000 });
    for (const days of [7, 30]) expect(filled(store, days).longTermTrend.slopeMsPerDay).not.toBeNull();
  });

  it('counts no peak-usage hour when every run of the window resumed one from before it', () => {
    const { store, history } = setup();
    history.addChain([{ startTime: NOW - 8 * DAY, status: 'interrupted' }, { startTime: NOW - DAY }]);
    const report = filled(store);
    expect(report.success).toMatchObject({ syncs: 1, succeeded: 1 });
    expect(report.peakUsage).toBeNull();
  });

  it('names the weekday of peak usage in English whatever the default locale', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - HOUR });
    const before = Settings.defaultLocale;
    Settings.defaultLocale = 'de-DE';
    try {
      expect(filled(store).peakUsage).toMatchObject({ weekday: 'Thursday', isoWeekday: 4 });
    } finally {
      Settings.defaultLocale = before;
    }
  });

  // The report reads the figures recorded at each completion while they are exactly the
  // window's completed syncs (their count and their ids); a hand edit of that table must
  // not pass for them.
  describe('recorded figures that are not the completed syncs', () => {
    /** Two completed syncs (1 and 2 s) and a running one (id 3, owner alive). */
    function twoCompletedOneRunning() {
      const { store, history } = setup();
      const ids = [
        history.add({ startTime: NOW - 3 * HOUR, totalDuration: 1000 }),
        history.add({ startTime: NOW - 2 * HOUR, totalDuration: 2000 }),
        history.add({ startTime: NOW - MINUTE, status: 'running' }),
      ];
      expect(filled(store).totalDuration).toMatchObject({ meanMs: 1500 });
      return { store, ids };
    }
    const idOf = (store: ProgressStore, jobId: string) =>
      (
        openTestStore(store.path)
          .sqlite.prepare('SELECT id FROM sync_history WHERE job_id = ?')
          .get(jobId) as {
          id: number;
        }
      ).id;

    it('as many as the running ones, with the same id sum: computed from the history', () => {
      const { store, ids } = twoCompletedOneRunning();
      const [first, second, running] = ids.map((jobId) => idOf(store, jobId));
      expect(first! + second!).toBe(running);
      // One row left, sync 1's figures under the running sync's id: count 1, id sum 3.
      handEdit(store.path, `DELETE FROM sync_figures WHERE sync_id = ?`, {}, second);
      handEdit(store.path, `UPDATE sync_figures SET sync_id = ? WHERE sync_id = ?`, {}, running, first);
      expect(filled(store).totalDuration).toMatchObject({ meanMs: 1500 });
    });

    it('as many, with another id sum: computed from the history', () => {
      const { store, ids } = twoCompletedOneRunning();
      const [first, second, running] = ids.map((jobId) => idOf(store, jobId));
      // Sync 1's figures twice (under its id and the running one's): count 2, id sum 4.
      handEdit(store.path, `DELETE FROM sync_figures WHERE sync_id = ?`, {}, second);
      handEdit(
        store.path,
        `INSERT INTO sync_figures (sync_id, project_id, start_time, phase_names, figures)
         SELECT ?, project_id, start_time, phase_names, figures FROM sync_figures WHERE sync_id = ?`,
        {},
        running,
        first,
      );
      expect(filled(store).totalDuration).toMatchObject({ meanMs: 1500 });
    });
  });

  it('describes 20 damaged rows in warnings, not more', () => {
    const { store, history, clock } = setup();
    history.batch(() => {
      for (let i = 0; i < 22; i++) history.add({ startTime: NOW - (i + 1) * HOUR });
    });
    const dbPath = store.path;
    closeTestProgressStore(store);
    handEdit(dbPath, `UPDATE sync_history SET files_indexed = -5 WHERE id > 1`);
    const reopened = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(reopened.store.metrics.report({ timeZone: 'UTC' })).toMatchObject({ success: { syncs: 1 } });
    expect(reopened.warnings.filter((w) => w.code === 'CORRUPT')).toHaveLength(20);
  });

  it('names the operation in its errors', () => {
    const { store } = setup();
    expect(() => store.metrics.report({ days: 0 })).toThrow(ValidationError);
    expect(() => store.metrics.report({ days: 0 })).toThrow(/^report: days: /);
    expect(() => store.metrics.estimateRemaining({ phase: '', percent: 1 })).toThrow(
      /^estimateRemaining: phase: /,
    );
    expect(() => store.metrics.estimateRemaining({ phase: 'Elsewhere', percent: 1, phases: PHASES })).toThrow(
      /^estimateRemaining: phase: is not one of phases$/,
    );
  });

  it('names the operation when the file cannot be read', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - HOUR });
    handEdit(store.path, `DROP TABLE sync_figures`);
    expect(() => store.metrics.report()).toThrow(StorageError);
    expect(() => store.metrics.report()).toThrow(/^history report: .*sync_figures/);
    handEdit(store.path, `ALTER TABLE sync_history RENAME TO sync_history_gone`);
    expect(() => store.metrics.estimateRemaining({ phase: 'Fetch', percent: 1 })).toThrow(
      /^estimate remaining: .*sync_history/,
    );
  });
});
