import BetterSqlite3 from 'better-sqlite3';
import { DEFAULT_PHASES, type ProgressStore, ValidationError } from '../../../src';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import {
  closeTestProgressStore,
  indexToStoryPoint,
  openTestProgressStore,
  repoPaths,
} from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);

/** Phase means of the known history below, in ms; indexing ran at 2 files/s (200 files in 100 s). */
const MEANS = {
  Initializing: 5_000,
  'Git Fetch': 20_000,
  'Git Merge': 5_000,
  'Detecting Changes': 2_000,
  'Indexing Files': 100_000,
  'Validating Index': 10_000,
};

function withHistory(): { store: ProgressStore; history: HistoryFactory; clock: ManualClock } {
  const { store, clock } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW) });
  const history = new HistoryFactory(openTestStore(store.path));
  history.batch(() => {
    for (let i = 0; i < 10; i++) {
      // Half a little faster and half a little slower than the mean, so it is a mean.
      const skew = i % 2 === 0 ? 0.9 : 1.1;
      history.add({
        startTime: NOW - (i + 1) * 24 * HOUR,
        phaseDurations: Object.fromEntries(
          Object.entries(MEANS).map(([name, ms]) => [name, Math.round(ms * skew)]),
        ),
        filesIndexed: 200,
      });
    }
  });
  return { store, history, clock };
}

const at = (phase: string, percent: number, more: object = {}) => ({ phase, percent, ...more });

describe('estimateRemaining', () => {
  it('is the rest of the current phase plus the mean of each phase not started', () => {
    const { store } = withHistory();
    // Half of Git Fetch (10 s), then Git Merge, Detecting Changes, Indexing Files, Validating Index.
    expect(store.metrics.estimateRemaining(at('Git Fetch', 17.5, { phasePercent: 50 }))).toBe(
      10_000 + 5_000 + 2_000 + 100_000 + 10_000,
    );
  });

  it('uses the current rate for the files left while indexing', () => {
    const { store } = withHistory();
    const progress = at('Indexing Files', 72, {
      phasePercent: 60,
      filesProcessed: 60,
      totalFiles: 100,
      rate: 4,
    });
    expect(store.metrics.estimateRemaining(progress)).toBe(10_000 + 10_000); // 40 files at 4/s, then validation
  });

  it("falls back to the project's indexing rate, then to the phase's mean scaled by progress", () => {
    const { store } = withHistory();
    const files = { filesProcessed: 60, totalFiles: 100 };
    expect(store.metrics.estimateRemaining(at('Indexing Files', 72, files))).toBe(20_000 + 10_000); // 40 files at 2/s
    expect(store.metrics.estimateRemaining(at('Indexing Files', 56.25, { phasePercent: 25 }))).toBe(
      75_000 + 10_000,
    );
  });

  it('derives the phase progress from the overall percent and the phase weights when not given', () => {
    const { store } = withHistory();
    // Git Merge covers 30-40% of the default phases.
    expect(store.metrics.estimateRemaining(at('Git Merge', 30))).toBe(5_000 + 2_000 + 100_000 + 10_000);
    expect(store.metrics.estimateRemaining(at('Git Merge', 35))).toBe(2_500 + 2_000 + 100_000 + 10_000);
    expect(store.metrics.estimateRemaining(at('Git Merge', 80))).toBe(0 + 2_000 + 100_000 + 10_000);
  });

  it('accepts a progress update as CIDX reports it', () => {
    const { store } = withHistory();
    const update = {
      phase: 'Validating Index',
      percent: 95,
      phasePercent: 50,
      filesProcessed: 3,
      totalFiles: 3,
      rate: 9,
      checkpointData: { x: 1 },
    };
    expect(store.metrics.estimateRemaining(update)).toBe(5_000);
    expect(store.metrics.estimateRemaining(at('Validating Index', 100))).toBe(0);
  });

  it('is null when there is nothing to go on', () => {
    const { store } = openTestProgressStore(tmp.path);
    expect(store.metrics.estimateRemaining(at('Git Fetch', 10))).toBeNull();
    const { store: known } = withHistory();
    const phases = [...DEFAULT_PHASES.slice(0, 5), { name: 'Publish', weight: 0.1 }];
    expect(known.metrics.estimateRemaining(at('Git Fetch', 10, { phases }))).toBeNull(); // Publish never seen
    expect(known.metrics.estimateRemaining(at('Some Other Phase', 10))).toBeNull(); // not in the project's phases
  });

  it("falls back to CIDX's default phases when the newest sync's list is damaged", () => {
    const { store, history } = withHistory();
    const newest = history.add({ startTime: NOW - HOUR, phases: [{ name: 'Only', weight: 1 }] });
    expect(store.metrics.estimateRemaining(at('Git Fetch', 17.5, { phasePercent: 50 }))).toBeNull();
    const db = new BetterSqlite3(store.path);
    db.prepare('UPDATE sync_history SET phases = \'[{"name": \' WHERE job_id = ?').run(newest);
    db.close();
    expect(store.metrics.estimateRemaining(at('Git Fetch', 17.5, { phasePercent: 50 }))).toBe(127_000);
  });

  it('rejects bad input with a ValidationError naming the field', () => {
    const { store } = withHistory();
    const issue = (progress: unknown) => {
      try {
        store.metrics.estimateRemaining(progress as never);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues[0]!.path;
      }
      throw new Error('accepted');
    };
    expect(issue(at('Git Fetch', 120))).toBe('percent');
    expect(issue(at('Git Fetch', 10, { rate: -1 }))).toBe('rate');
    expect(issue(at('Nope', 10, { phases: DEFAULT_PHASES }))).toBe('phase');
    expect(issue(undefined)).toBe('');
  });

  it('follows the history: a newly completed sync changes the estimate', () => {
    const { store, history } = withHistory();
    const before = store.metrics.estimateRemaining(at('Validating Index', 90, { phasePercent: 0 }));
    expect(before).toBe(10_000);
    history.add({ startTime: NOW - HOUR, phaseDurations: { ...MEANS, 'Validating Index': 120_000 } });
    expect(store.metrics.estimateRemaining(at('Validating Index', 90, { phasePercent: 0 }))).toBe(20_000); // (10 × 10 + 120) / 11
  });
});

describe('the resume prompt estimate', () => {
  /** A sync interrupted in Indexing Files with 6 of 10 files left (its own last rate: 2 files/s). */
  function interrupt(clock: ManualClock): void {
    const opened = openTestProgressStore(tmp.path, { clock });
    const sync = opened.store.recording.startSync({
      jobId: 'job-1',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files: repoPaths(10),
    });
    indexToStoryPoint(sync);
    closeTestProgressStore(opened.store);
  }

  it("comes from the project's history when there is one", () => {
    const { store, clock } = withHistory();
    closeTestProgressStore(store);
    interrupt(clock);
    const { store: reopened } = openTestProgressStore(tmp.path, { clock });
    // 6 files at the historical 2 files/s, then Validating Index's mean.
    expect(reopened.resume.checkResumable()?.estimatedTime).toBe(3_000 + 10_000);
  });

  it("keeps the sync's own estimate when the history has nothing", () => {
    const clock = new ManualClock(NOW);
    interrupt(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()?.estimatedTime).toBe(3_000);
  });

  it('gives no estimate for a checkpoint that cannot be trusted (a phase no input could name)', () => {
    const clock = new ManualClock(NOW);
    interrupt(clock);
    const { store } = openTestProgressStore(tmp.path, { clock });
    const db = new BetterSqlite3(store.path);
    db.prepare('UPDATE checkpoints SET phase = ?').run('x'.repeat(150));
    db.close();
    expect(store.resume.checkResumable()).toMatchObject({ canResume: false, estimatedTime: null });
  });
});
