import type { FilledHistoryReport, ProgressStore } from '../../../src';
import { ManualClock } from '../../support/manual-clock';
import {
  closeTestProgressStore,
  openStoreWithHistory,
  openTestProgressStore,
  repoPaths,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * The counting rule: a chain interrupted → resumed → completed is ONE logical sync that
 * succeeded; its duration is the sum of its runs' durations and its phase durations are
 * summed phase by phase (see the top of metrics-service.ts).
 */
const tmp = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const PHASES = [
  { name: 'Fetch', weight: 0.4 },
  { name: 'Indexing', weight: 0.6 },
];

function filled(store: ProgressStore, days = 7): FilledHistoryReport {
  const report = store.metrics.report({ days, timeZone: 'UTC' });
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

const progress = (phase: string, percent: number, filesProcessed = 0) => ({
  phase,
  percent,
  phasePercent: 0,
  filesProcessed,
  totalFiles: 10,
  rate: 0,
});

describe('resumed syncs, recorded by the real services', () => {
  it('count interrupted → resumed → completed as one sync that succeeded, its runs summed', () => {
    const clock = new ManualClock(NOW - HOUR);
    const start = clock.now();
    const first = openTestProgressStore(tmp.path, { clock });
    const sync = first.store.recording.startSync({ jobId: 'job-1', files: repoPaths(10) });
    clock.advance(20_000);
    sync.update(progress('Git Fetch', 10));
    clock.advance(40_000);
    sync.update(progress('Indexing Files', 50));
    sync.completeFiles(repoPaths(10).slice(0, 4));
    closeTestProgressStore(first.store); // the process goes away: its last sign of life is start + 60 s

    clock.advance(10 * MINUTE);
    const { store } = openTestProgressStore(tmp.path, { clock });
    const { sync: resumed } = store.resume.resume('job-1');
    clock.advance(30_000);
    resumed.update(progress('Indexing Files', 85, 10));
    clock.advance(10_000);
    resumed.update(progress('Validating Index', 95, 10));
    clock.advance(5_000);
    resumed.finish({ filesIndexed: 10 });

    const report = filled(store);
    expect(report.success).toMatchObject({ syncs: 1, succeeded: 1, failed: 0, interrupted: 0, percent: 100 });
    // 60 s until the first run died, plus the 45 s of the run that finished the work.
    expect(report.meanTotalMs).toBe(105_000);
    expect(report.recent).toEqual([
      expect.objectContaining({
        startedAt: start,
        status: 'completed',
        durationMs: 105_000,
        filesIndexed: 10,
      }),
    ]);
    // The first run kept its phase durations with each checkpoint, so they count although it
    // died; the chain's phases are summed (its Indexing started just before it died).
    expect(report.phases.map((p) => [p.name, p.meanMs])).toEqual([
      ['Initializing', 20_000],
      ['Git Fetch', 40_000],
      ['Indexing Files', 40_000],
      ['Validating Index', 5_000],
    ]);
    expect(report.peakUsage?.starts).toBe(1);
    expect(report.resources.runs).toBe(1);
  });

  it('count failed → resumed → completed as one success, with phases summed and the failure still a failure point', () => {
    const clock = new ManualClock(NOW - HOUR);
    const { store } = openTestProgressStore(tmp.path, { clock });
    const sync = store.recording.startSync({ jobId: 'job-1', files: repoPaths(10) });
    clock.advance(20_000);
    sync.update(progress('Indexing Files', 50));
    clock.advance(30_000);
    sync.fail({ message: 'Network timeout', code: 'ETIMEDOUT' });
    clock.advance(MINUTE);
    const { sync: resumed } = store.resume.resume('job-1');
    clock.advance(25_000);
    resumed.finish({ filesIndexed: 10 });

    const report = filled(store);
    expect(report.success).toMatchObject({ syncs: 1, succeeded: 1, failed: 0, percent: 100 });
    expect(report.meanTotalMs).toBe(75_000);
    expect(report.phases.map((p) => [p.name, p.meanMs])).toEqual([
      ['Initializing', 20_000],
      ['Indexing Files', 55_000], // 30 s before the failure + 25 s after the resume
    ]);
    expect(report.failures.points).toEqual([
      expect.objectContaining({
        phase: 'Indexing Files',
        code: 'ETIMEDOUT',
        count: 1,
        message: 'Network timeout',
      }),
    ]);
    expect(report.resources.runs).toBe(2);
  });
});

describe('resumed syncs, from synthetic chains', () => {
  function setup() {
    return openStoreWithHistory(tmp.path, NOW);
  }

  it('sum a three-run chain and count it in the window where its last run started', () => {
    const { store, history } = setup();
    history.addChain([
      // Started 8 days ago (before the window), died after 10 s of Fetch.
      { startTime: NOW - 8 * DAY, status: 'interrupted', phases: PHASES, phaseDurations: { Fetch: 10_000 } },
      {
        startTime: NOW - 7 * DAY - HOUR,
        status: 'failed',
        phases: PHASES,
        phaseDurations: { Fetch: 20_000, Indexing: 5_000 },
      },
      { startTime: NOW - 6 * DAY, phases: PHASES, phaseDurations: { Indexing: 40_000 }, filesIndexed: 70 },
    ]);
    history.add({
      startTime: NOW - 2 * DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 1_000, Indexing: 1_000 },
      filesIndexed: 2,
    });

    const report = filled(store);
    expect(report.success).toMatchObject({ syncs: 2, succeeded: 2, failed: 0, interrupted: 0 });
    const chain = report.recent.find((s) => s.startedAt === NOW - 8 * DAY);
    // 10 s (died) + 25 s (failed) + 40 s (completed); its files are the last run's.
    expect(chain).toMatchObject({ status: 'completed', durationMs: 75_000, filesIndexed: 70 });
    // The run that died recorded no phase durations (as in real life): Fetch is 20 s, not 30.
    expect(report.phases).toEqual([
      expect.objectContaining({ name: 'Fetch', syncs: 2, meanMs: 10_500 }), // 20 s, and 1 s
      expect.objectContaining({ name: 'Indexing', syncs: 2, meanMs: 23_000 }), // 5 + 40 s, and 1 s
    ]);
    expect(report.totalDuration).toMatchObject({ meanMs: 38_500, p90Ms: 75_000 });
    expect(report.longTermTrend.syncs).toBe(2);
    // Only first runs count as starts: the chain started 8 days ago, outside the window.
    expect(report.peakUsage?.starts).toBe(1);
  });

  it('count a chain that ended interrupted once, as interrupted', () => {
    const { store, history } = setup();
    history.addChain([
      { startTime: NOW - 3 * HOUR, status: 'failed', phases: PHASES },
      { startTime: NOW - 2 * HOUR, status: 'interrupted', phases: PHASES },
    ]);
    history.add({ startTime: NOW - HOUR, phases: PHASES });
    expect(filled(store).success).toMatchObject({
      syncs: 2,
      succeeded: 1,
      failed: 0,
      interrupted: 1,
      percent: 50,
    });
  });

  it('count a sync that was started over (untrusted checkpoint) as its own interrupted sync', () => {
    const { store, history } = setup();
    history.add({ startTime: NOW - 2 * HOUR, status: 'interrupted', phases: PHASES });
    history.add({ startTime: NOW - HOUR, phases: PHASES });
    expect(filled(store).success).toMatchObject({ syncs: 2, succeeded: 1, interrupted: 1 });
  });
});
