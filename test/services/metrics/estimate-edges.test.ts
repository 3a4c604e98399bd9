import { openStoreWithHistory } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** estimateRemaining() where its inputs are at a limit: the first phase, 100%, no rate. */
const tmp = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
/** Weights that do not sum to 1: the overall percent is a share of their sum. */
const PHASES = [
  { name: 'Fetch', weight: 0.1 },
  { name: 'Indexing', weight: 0.3 },
];

/** Half way through Indexing, 10 of 100 files done. */
const HALF_WAY_INDEXING = {
  phase: 'Indexing',
  percent: 62.5,
  phasePercent: 50,
  totalFiles: 100,
  filesProcessed: 10,
};

function setup() {
  return openStoreWithHistory(tmp.path, NOW);
}

/** Completed syncs of PHASES, Fetch 10 s and Indexing 60 s, that reported no file count. */
function withoutFileCounts() {
  const opened = setup();
  for (const days of [1, 2])
    opened.history.add({
      startTime: NOW - days * DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 10_000, Indexing: 60_000 },
      filesIndexed: null,
    });
  return opened;
}

describe('estimateRemaining() at its limits', () => {
  it('is 0 at 100%, in any phase', () => {
    const { store } = withoutFileCounts();
    expect(store.metrics.estimateRemaining({ phase: 'Fetch', percent: 100 })).toBe(0);
  });

  it('estimates the first phase of the list', () => {
    const { store } = withoutFileCounts();
    expect(store.metrics.estimateRemaining({ phase: 'Fetch', percent: 0 })).toBe(10_000 + 60_000);
  });

  it('reads the overall percent as a share of the weights, whatever they sum to', () => {
    const { store } = withoutFileCounts();
    // 50% of weights 0.1 + 0.3 is 0.2: one third into Indexing.
    expect(store.metrics.estimateRemaining({ phase: 'Indexing', percent: 50 })).toBe(40_000);
  });

  it('uses the phase mean while indexing when no rate is known (not a division by 0)', () => {
    const { store } = withoutFileCounts();
    expect(store.metrics.estimateRemaining(HALF_WAY_INDEXING)).toBe(30_000);
  });

  it('has no indexing rate from syncs whose counted files took no indexing time', () => {
    const { store, history } = setup();
    history.add({
      startTime: NOW - 2 * DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 10_000, Indexing: 0 },
      filesIndexed: 100,
    });
    history.add({
      startTime: NOW - DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 10_000, Indexing: 60_000 },
      filesIndexed: null,
    });
    // The mean (30 s) scaled by progress, not 100 files in 0 ms (an infinite rate: nothing left).
    expect(store.metrics.estimateRemaining(HALF_WAY_INDEXING)).toBe(15_000);
  });

  it('reads the history again when a sync completes or the hour turns, not at every call', () => {
    const { store, history, clock } = withoutFileCounts();
    const fetching = { phase: 'Fetch', percent: 0 };
    expect(store.metrics.estimateRemaining(fetching)).toBe(70_000);
    // An older completed sync (not the newest completion) arrives within the hour: not read yet.
    history.add({
      startTime: NOW - 3 * DAY,
      phases: PHASES,
      phaseDurations: { Fetch: 40_000, Indexing: 60_000 },
      filesIndexed: null,
    });
    clock.advance(MINUTE);
    expect(store.metrics.estimateRemaining(fetching)).toBe(70_000);
    clock.advance(HOUR);
    expect(store.metrics.estimateRemaining(fetching)).toBe(80_000);
  });
});
