import { type FilledHistoryReport, renderHistoryReport } from '../../src';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { openTestProgressStore } from '../support/progress-store';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';
import { buildStoryHistory, otherStarts, STORY_NOW } from '../services/metrics/story-history';

const tmp = useTempDir();

/** The story's "Historical Metrics Display", verbatim (its four recent syncs). */
const STORY_DISPLAY = `📊 Sync Performance History (Last 7 days)

Average Duration by Phase:
  • Git Fetch:    45s (↓ 12% improvement)
  • Git Merge:    8s  (stable)
  • Indexing:     2m 30s (↑ 5% slower)
  • Validation:   15s (stable)

Success Rate: 94% (47/50 syncs)
Average Total Time: 3m 38s
Peak Usage: Monday 10am-12pm

Recent Syncs:
  2024-01-15 10:30  ✓  3m 12s  1,234 files
  2024-01-15 08:45  ✓  2m 58s    987 files
  2024-01-14 16:20  ✗  Failed   Network timeout
  2024-01-14 14:10  ✓  4m 05s  1,456 files`.split('\n');

function storyReport(): FilledHistoryReport {
  const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(STORY_NOW) });
  buildStoryHistory(new HistoryFactory(openTestStore(store.path)));
  const report = store.metrics.report({ timeZone: 'UTC' });
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

describe('renderHistoryReport', () => {
  it("reproduces the story's display line by line", () => {
    const lines = renderHistoryReport(storyReport()).split('\n');
    STORY_DISPLAY.forEach((expected, i) => expect(lines[i]).toBe(expected));
    // Then the other six of the ten recent syncs (3m 39s, 100 files each), and a final newline.
    const rest = otherStarts()
      .reverse()
      .slice(0, 6)
      .map(
        (start) =>
          `  ${new Date(start).toISOString().slice(0, 16).replace('T', ' ')}  ✓  3m 39s    100 files`,
      );
    expect(lines.slice(STORY_DISPLAY.length)).toEqual([...rest, '']);
  });

  it('shows local dates in the report time zone', () => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(STORY_NOW) });
    buildStoryHistory(new HistoryFactory(openTestStore(store.path)));
    const text = renderHistoryReport(store.metrics.report({ timeZone: 'Asia/Tokyo' }));
    expect(text).toContain('  2024-01-15 19:30  ✓  3m 12s  1,234 files');
  });

  it('says there is nothing yet for an empty history', () => {
    const { store } = openTestProgressStore(tmp.path);
    expect(renderHistoryReport(store.metrics.report({ days: 1 }))).toBe(
      '📊 Sync Performance History (Last 1 day)\n\nNo syncs finished in this period yet.\n',
    );
  });

  it('renders cancelled and interrupted syncs, hours, missing figures and trends', () => {
    const report: FilledHistoryReport = {
      ...storyReport(),
      phases: [{ name: 'Indexing Files', syncs: 1, meanMs: 3_900_000, p50Ms: 0, p90Ms: 0, trend: null }],
      meanTotalMs: null,
      peakUsage: { weekday: 'Sunday', isoWeekday: 7, startHour: 22, endHour: 24, starts: 3 },
      recent: [
        {
          jobId: 'a',
          startedAt: Date.UTC(2024, 0, 15, 9),
          endedAt: null,
          status: 'completed',
          durationMs: 3_900_000,
          filesIndexed: null,
          reason: null,
          errorCode: null,
        },
        {
          jobId: 'b',
          startedAt: Date.UTC(2024, 0, 15, 8),
          endedAt: null,
          status: 'cancelled',
          durationMs: 5_000,
          filesIndexed: null,
          reason: 'cancelled by user',
          errorCode: 'CANCELLED',
        },
        {
          jobId: 'c',
          startedAt: Date.UTC(2024, 0, 15, 7),
          endedAt: null,
          status: 'interrupted',
          durationMs: 5_000,
          filesIndexed: null,
          reason: null,
          errorCode: null,
        },
        {
          jobId: 'd',
          startedAt: Date.UTC(2024, 0, 15, 6),
          endedAt: null,
          status: 'failed',
          durationMs: 5_000,
          filesIndexed: null,
          reason: null,
          errorCode: 'EIO',
        },
        {
          jobId: 'e',
          startedAt: Date.UTC(2024, 0, 15, 5),
          endedAt: null,
          status: 'completed',
          durationMs: 45_000,
          filesIndexed: 12_345,
          reason: null,
          errorCode: null,
        },
      ],
    };
    expect(renderHistoryReport(report).split('\n')).toEqual([
      '📊 Sync Performance History (Last 7 days)',
      '',
      'Average Duration by Phase:',
      '  • Indexing Files:   1h 5m',
      '',
      'Success Rate: 94% (47/50 syncs)',
      'Average Total Time: n/a',
      'Peak Usage: Sunday 10pm-12am',
      '',
      'Recent Syncs:',
      '  2024-01-15 09:00  ✓  1h 05m',
      '  2024-01-15 08:00  ✗  Cancelled  cancelled by user',
      '  2024-01-15 07:00  ✗  Interrupted',
      '  2024-01-15 06:00  ✗  Failed   EIO',
      '  2024-01-15 05:00  ✓  45s     12,345 files',
      '',
    ]);
  });

  it('says so when no sync completed and there is no peak', () => {
    const report: FilledHistoryReport = { ...storyReport(), phases: [], peakUsage: null, recent: [] };
    const lines = renderHistoryReport(report).split('\n');
    expect(lines[3]).toBe('  (no completed syncs)');
    expect(lines).toContain('Peak Usage: n/a');
  });
});
