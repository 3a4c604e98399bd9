import { historyReportSchema, type FilledHistoryReport } from '../../../src';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';
import { buildStoryHistory, otherStarts, STORY_NOW } from './story-history';

const tmp = useTempDir();

function storyReport(): FilledHistoryReport {
  const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(STORY_NOW) });
  buildStoryHistory(new HistoryFactory(openTestStore(store.path)));
  const report = store.metrics.report({ timeZone: 'UTC' });
  expect(historyReportSchema.parse(report)).toEqual(report);
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

describe('report() on the story history', () => {
  it('counts 47 of 50 syncs as succeeded', () => {
    const report = storyReport();
    expect(report.days).toBe(7);
    expect(report.window).toEqual({ from: STORY_NOW - 7 * 86_400_000, to: STORY_NOW });
    expect(report.success).toEqual({
      syncs: 50,
      succeeded: 47,
      failed: 3,
      cancelled: 0,
      interrupted: 0,
      inProgress: 0,
      percent: 94,
    });
  });

  it('gives per-phase mean, p50, p90 and the trend against the previous 7 days', () => {
    const report = storyReport();
    expect(report.phases).toEqual([
      {
        name: 'Git Fetch',
        syncs: 47,
        meanMs: 45_000,
        p50Ms: 45_000,
        p90Ms: 45_000,
        trend: { previousMeanMs: 51_136, percentChange: -12, direction: 'improvement' },
      },
      {
        name: 'Git Merge',
        syncs: 47,
        meanMs: 8_000,
        p50Ms: 8_000,
        p90Ms: 8_000,
        trend: { previousMeanMs: 8_000, percentChange: 0, direction: 'stable' },
      },
      {
        name: 'Indexing',
        syncs: 47,
        meanMs: 150_000,
        // 110, 124, 146, then 151 forty-three times, then 177: ranks 24 and 43 of 47.
        p50Ms: 151_000,
        p90Ms: 151_000,
        trend: { previousMeanMs: 142_857, percentChange: 5, direction: 'slower' },
      },
      {
        name: 'Validation',
        syncs: 47,
        meanMs: 15_000,
        p50Ms: 15_000,
        p90Ms: 15_000,
        trend: { previousMeanMs: 15_000, percentChange: 0, direction: 'stable' },
      },
    ]);
    expect(report.meanTotalMs).toBe(218_000);
    expect(report.totalDuration).toEqual({ meanMs: 218_000, p50Ms: 219_000, p90Ms: 219_000 });
  });

  it('finds Monday 10am-12pm as the peak', () => {
    expect(storyReport().peakUsage).toEqual({
      weekday: 'Monday',
      isoWeekday: 1,
      startHour: 10,
      endHour: 12,
      starts: 6,
    });
  });

  it('lists the ten newest syncs, newest first, with the failure reason', () => {
    const report = storyReport();
    expect(report.recent).toHaveLength(10);
    expect(report.recent.slice(0, 4)).toEqual([
      expect.objectContaining({
        startedAt: Date.UTC(2024, 0, 15, 10, 30),
        status: 'completed',
        durationMs: 192_000,
        filesIndexed: 1234,
        reason: null,
      }),
      expect.objectContaining({
        startedAt: Date.UTC(2024, 0, 15, 8, 45),
        status: 'completed',
        durationMs: 178_000,
        filesIndexed: 987,
      }),
      expect.objectContaining({
        startedAt: Date.UTC(2024, 0, 14, 16, 20),
        status: 'failed',
        reason: 'Network timeout',
        errorCode: 'ETIMEDOUT',
      }),
      expect.objectContaining({
        startedAt: Date.UTC(2024, 0, 14, 14, 10),
        status: 'completed',
        durationMs: 245_000,
        filesIndexed: 1456,
      }),
    ]);
    const others = otherStarts().reverse().slice(0, 6);
    expect(report.recent.slice(4).map((s) => s.startedAt)).toEqual(others);
  });

  it('reports the failure points, rates and resources of the window', () => {
    const report = storyReport();
    expect(report.failures).toEqual({
      total: 3,
      points: [
        // Two in Validation (the factory's default: the last phase with a duration), one in Git Merge.
        {
          phase: 'Validation',
          code: 'ETIMEDOUT',
          count: 2,
          share: 66.7,
          lastSeen: otherStarts()[1]! + 83_000,
          message: 'Network timeout',
        },
        {
          phase: 'Git Merge',
          code: 'ETIMEDOUT',
          count: 1,
          share: 33.3,
          lastSeen: Date.UTC(2024, 0, 14, 16, 20) + 47_000,
          message: 'Network timeout',
        },
      ],
    });
    expect(report.resources).toEqual({
      runs: 50,
      meanPeakMemoryBytes: 100_000_000,
      peakMemoryBytes: 100_000_000,
      meanCpuPercent: 50,
    });
    // 44 syncs of 100 files plus 1234 + 987 + 1456 files, over 47 × 218 s; indexing: over 47 × 150 s.
    const files = 44 * 100 + 1234 + 987 + 1456;
    expect(report.rates.overall).toEqual({
      filesPerSecond: Math.round((files / (47 * 218)) * 100) / 100,
      bytesPerSecond: null,
    });
    expect(report.rates.indexing).toEqual({
      phase: 'Indexing',
      filesPerSecond: Math.round((files / (47 * 150)) * 100) / 100,
      bytesPerSecond: null,
    });
  });
});
