import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A phase that took 0 ms (nothing to fetch, say) is a real measurement: it counts in the
 * per-phase mean and percentiles of the window, and in the previous window's mean that
 * the trend compares with.
 */
const tmp = useTempDir();
const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const PHASES = [
  { name: 'Git Fetch', weight: 0.5 },
  { name: 'Indexing Files', weight: 0.5 },
];

/** Record, through the API, completed syncs whose Git Fetch took each of `fetchMs` and Indexing 2 s. */
function recordSyncs(
  store: ReturnType<typeof openTestProgressStore>['store'],
  clock: ManualClock,
  fetchMs: number[],
): void {
  for (const ms of fetchMs) {
    const sync = store.recording.startSync({ phases: PHASES });
    clock.advance(ms);
    sync.update({
      phase: 'Indexing Files',
      percent: 50,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 0,
    });
    clock.advance(2000);
    sync.finish({ filesIndexed: 10 });
    clock.advance(60_000);
  }
}

describe('per-phase means with 0 ms durations', () => {
  it('count a 0 ms phase in the window and in the previous window the trend compares with', () => {
    const clock = new ManualClock(NOW - 9 * DAY);
    const { store } = openTestProgressStore(tmp.path, { clock });
    recordSyncs(store, clock, [0, 0, 900]); // previous window: mean 300
    clock.advance(5 * DAY);
    recordSyncs(store, clock, [0, 600]); // this window: mean 300
    clock.advance(NOW - clock.now());

    const report = store.metrics.report({ days: 7, timeZone: 'UTC' });
    if (report.empty) throw new Error('expected a filled report');
    const fetch = report.phases.find((p) => p.name === 'Git Fetch');
    expect(fetch).toEqual({
      name: 'Git Fetch',
      syncs: 2,
      meanMs: 300,
      p50Ms: expect.any(Number),
      p90Ms: expect.any(Number),
      trend: { previousMeanMs: 300, percentChange: 0, direction: 'stable' },
    });
    expect(fetch!.p50Ms).toBeLessThan(600);
    expect(report.phases.find((p) => p.name === 'Indexing Files')).toMatchObject({ syncs: 2, meanMs: 2000 });
  });
});
