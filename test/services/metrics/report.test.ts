import BetterSqlite3 from 'better-sqlite3';
import { SystemZone } from 'luxon';
import {
  type FilledHistoryReport,
  historyReportSchema,
  type ProgressStore,
  StoreClosedError,
  ValidationError,
} from '../../../src';
import { closeTestProgressStore, openStoreWithHistory } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { recordFiguresAgain } from '../../support/record-figures-again';

const tmp = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Thursday 2026-11-26 09:00 UTC (ManualClock's default). */
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const PHASES = [
  { name: 'Fetch', weight: 0.3 },
  { name: 'Indexing Files', weight: 0.6 },
  { name: 'Validating Index', weight: 0.1 },
];

function setup() {
  return openStoreWithHistory(tmp.path, NOW);
}

function filled(
  store: ProgressStore,
  options: Parameters<ProgressStore['metrics']['report']>[0] = { timeZone: 'UTC' },
): FilledHistoryReport {
  const report = store.metrics.report(options);
  expect(historyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

describe('report()', () => {
  it('is an empty report, not a crash, when nothing has finished in the window', () => {
    const { store, history } = setup();
    expect(store.metrics.report()).toEqual({
      empty: true,
      days: 7,
      generatedAt: NOW,
      timeZone: SystemZone.instance.name,
      window: { from: NOW - 7 * DAY, to: NOW },
    });
    // Running with a heartbeat 30 s ago (in progress; a stopped one counts as interrupted).
    history.add({ startTime: NOW - MINUTE, status: 'running' });
    history.add({ startTime: NOW - 8 * DAY });
    expect(store.metrics.report({ timeZone: 'Europe/Berlin' })).toMatchObject({
      empty: true,
      timeZone: 'Europe/Berlin',
    });
  });

  it('groups failures by phase and code, most frequent first, leaving out cancellations', () => {
    const { store, history } = setup();
    const fail = (hoursAgo: number, phase: string | null, code: string, message: string) =>
      history.add({
        startTime: NOW - hoursAgo * HOUR,
        status: 'failed',
        phases: PHASES,
        error: { phase, code, message },
      });
    fail(50, 'Fetch', 'ETIMEDOUT', 'Network timeout');
    fail(40, 'Indexing Files', 'EACCES', 'Permission denied: a.ts');
    fail(30, 'Fetch', 'ETIMEDOUT', 'Network timeout after 30s');
    fail(20, 'Indexing Files', 'EACCES', 'Permission denied: b.ts');
    fail(10, 'Fetch', 'ETIMEDOUT', 'Network timeout');
    fail(5, null, 'ERROR', 'boom');
    history.add({ startTime: NOW - 2 * HOUR, status: 'cancelled', phases: PHASES });
    history.add({ startTime: NOW - 9 * DAY, status: 'failed', phases: PHASES });
    const at = (hoursAgo: number) => NOW - hoursAgo * HOUR + 30_000; // factory: 10 s per phase
    expect(filled(store).failures).toEqual({
      total: 6,
      points: [
        {
          phase: 'Fetch',
          code: 'ETIMEDOUT',
          count: 3,
          share: 50,
          lastSeen: at(10),
          message: 'Network timeout',
        },
        {
          phase: 'Indexing Files',
          code: 'EACCES',
          count: 2,
          share: 33.3,
          lastSeen: at(20),
          message: 'Permission denied: b.ts',
        },
        { phase: null, code: 'ERROR', count: 1, share: 16.7, lastSeen: at(5), message: 'boom' },
      ],
    });
    expect(filled(store).success).toMatchObject({
      syncs: 7,
      succeeded: 0,
      failed: 6,
      cancelled: 1,
      percent: 0,
    });
  });

  it('flags completed syncs slower than the p90 of the window', () => {
    const { store, history } = setup();
    history.batch(() => {
      for (let i = 1; i <= 10; i++) {
        history.add({
          jobId: `s${i}`,
          startTime: NOW - (20 - i) * HOUR,
          phases: PHASES,
          totalDuration: i * 10_000,
        });
      }
      history.add({
        jobId: 'slow-failure',
        startTime: NOW - HOUR,
        status: 'failed',
        phases: PHASES,
        totalDuration: 500_000,
      });
    });
    const report = filled(store);
    expect(report.totalDuration).toEqual({ meanMs: 55_000, p50Ms: 50_000, p90Ms: 90_000 });
    expect(report.anomalies).toEqual({
      thresholdMs: 90_000,
      count: 1,
      syncs: [expect.objectContaining({ jobId: 's10', durationMs: 100_000, status: 'completed' })],
    });
  });

  it('fits a 30-day least-squares slope of total duration per day', () => {
    const { store, history } = setup();
    history.batch(() => {
      // 100 s, growing 2 s a day, one sync a day for 30 days: a slope of exactly 2,000 ms/day.
      for (let day = 0; day < 30; day++) {
        history.add({
          startTime: NOW - (29.5 - day) * DAY,
          phases: PHASES,
          totalDuration: 100_000 + day * 2_000,
        });
      }
      history.add({ startTime: NOW - 31 * DAY, phases: PHASES, totalDuration: 10_000_000 });
    });
    const trend = filled(store).longTermTrend;
    expect(trend).toMatchObject({ days: 30, syncs: 30, meanMs: 129_000, direction: 'slower' });
    expect(trend.slopeMsPerDay).toBeCloseTo(2_000, 5);
    expect(trend.changePercent).toBeCloseTo(46.5, 1); // 2 s × 30 days / 129 s
  });

  it('reports resource usage, and rates overall and while indexing', () => {
    const { store, history } = setup();
    history.add({
      startTime: NOW - 3 * HOUR,
      phases: PHASES,
      phaseDurations: { Fetch: 10_000, 'Indexing Files': 20_000, 'Validating Index': 10_000 },
      filesIndexed: 400,
      bytesProcessed: 4_000_000,
      peakMemoryBytes: 200_000_000,
      meanCpuPercent: 40,
    });
    history.add({
      startTime: NOW - 2 * HOUR,
      phases: PHASES,
      phaseDurations: { Fetch: 30_000, 'Indexing Files': 20_000, 'Validating Index': 10_000 },
      filesIndexed: 200,
      bytesProcessed: null,
      peakMemoryBytes: 100_000_000,
      meanCpuPercent: 60,
    });
    history.add({
      startTime: NOW - HOUR,
      status: 'failed',
      phases: PHASES,
      peakMemoryBytes: null,
      meanCpuPercent: null,
    });
    const report = filled(store);
    expect(report.resources).toEqual({
      runs: 2,
      meanPeakMemoryBytes: 150_000_000,
      peakMemoryBytes: 200_000_000,
      meanCpuPercent: 50,
    });
    expect(report.rates).toEqual({
      overall: { filesPerSecond: 6, bytesPerSecond: 100_000 }, // 600 files / 100 s; 4 MB / 40 s
      indexing: { phase: 'Indexing Files', filesPerSecond: 15, bytesPerSecond: 200_000 }, // 600 / 40 s; 4 MB / 20 s
    });
  });

  it('orders phases as the newest sync lists them, then others alphabetically', () => {
    const { store, history } = setup();
    history.add({
      startTime: NOW - 3 * HOUR,
      phases: [
        { name: 'Zeta', weight: 0.5 },
        { name: 'Alpha', weight: 0.5 },
      ],
    });
    history.add({
      startTime: NOW - 2 * HOUR,
      phases: PHASES,
      phaseDurations: { 'Validating Index': 1_000, Fetch: 1_000 },
    });
    expect(filled(store).phases.map((p) => p.name)).toEqual(['Fetch', 'Validating Index', 'Alpha', 'Zeta']);
    // No "Indexing …" phase has data here, so the first name containing "index" is the one.
    expect(filled(store).rates.indexing.phase).toBe('Validating Index');
  });

  it('counts a window as [now - days, now) of start times', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - 3 * DAY, phases: PHASES });
    history.add({ startTime: NOW - 2 * DAY - 1, phases: PHASES });
    history.add({ startTime: NOW - 2 * DAY, phases: PHASES });
    history.add({ startTime: NOW, phases: PHASES });
    expect(filled(store, { days: 2, timeZone: 'UTC' }).success.syncs).toBe(1);
    expect(filled(store, { days: 30, timeZone: 'UTC' }).success.syncs).toBe(3);
  });

  it('skips damaged JSON instead of trusting it or failing: a value of the wrong shape, or the row when it does not parse', () => {
    const { store, history } = setup();
    const good = history.add({ startTime: NOW - 5 * HOUR, phases: PHASES });
    const truncated = history.add({ startTime: NOW - 4 * HOUR, phases: PHASES });
    const notAnObject = history.add({ startTime: NOW - 3 * HOUR, phases: PHASES, status: 'failed' });
    const bad = history.add({ startTime: NOW - 2 * HOUR, phases: PHASES, status: 'failed' });
    const db = new BetterSqlite3(store.path);
    const set = (column: string, value: string, jobId: string) =>
      db.prepare(`UPDATE sync_history SET ${column} = ? WHERE job_id = ?`).run(value, jobId);
    set('phase_durations', '{"Fetch": "slow", "Indexing Files": 5000, "Validating Index": -1}', good);
    set('phase_durations', '{"Fetch": 1', truncated);
    set('errors', '[42]', notAnObject);
    set('errors', 'not json', bad);
    db.close();
    // Edited after the syncs completed: recorded again, as the upgrade records such rows.
    recordFiguresAgain(store.path);
    const report = filled(store);
    expect(report.phases).toEqual([
      expect.objectContaining({ name: 'Indexing Files', syncs: 1, meanMs: 5_000 }),
    ]);
    // JSON that does not parse makes the row damaged: left out of every figure.
    expect(report.success).toMatchObject({ syncs: 2, succeeded: 1, failed: 1 });
    expect(report.failures).toEqual({ total: 0, points: [] });
    expect(report.recent).toEqual([
      expect.objectContaining({ jobId: notAnObject, status: 'failed', reason: null, errorCode: null }),
      expect.objectContaining({ jobId: good, status: 'completed' }),
    ]);
  });

  it('rejects bad options with a ValidationError naming the field', () => {
    const { store } = setup();
    for (const [options, path] of [
      [{ days: 0 }, 'days'],
      [{ days: 31 }, 'days'],
      [{ days: 1.5 }, 'days'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ since: 3 }, ''],
    ] as const) {
      try {
        store.metrics.report(options as never);
        throw new Error(`accepted ${JSON.stringify(options)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues[0]!.path).toBe(path);
      }
    }
  });

  it('throws StoreClosedError once the store is closed', () => {
    const { store } = setup();
    closeTestProgressStore(store);
    expect(() => store.metrics.report()).toThrow(StoreClosedError);
    expect(() => store.metrics.estimateRemaining({ phase: 'Fetch', percent: 1 })).toThrow(StoreClosedError);
  });
});
