import { trailRowsToDrop } from '../../../src/services/retention/trail-compaction';
import { openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, HOUR, seed } from './retention-fixtures';

const tmp = useTempDir();

function open(options: Parameters<typeof openTestProgressStore>[1] = {}) {
  return openTestProgressStore(tmp.path, { autoMaintenance: false, ...options });
}

interface TrailRow {
  id: number;
  phase: string;
  elapsed_ms: number;
  checkpoint_data: string | null;
}

const trailOf = (store: Parameters<typeof rows>[0], jobId: string) =>
  rows<TrailRow>(
    store,
    'SELECT id, phase, elapsed_ms, checkpoint_data FROM progress_updates WHERE job_id = ? ORDER BY id',
    jobId,
  );

describe('which trail rows compaction drops', () => {
  const point = (id: number, phase: string, hasCheckpoint = false) => ({ id, phase, hasCheckpoint });

  it('keeps the first and last rows, both sides of each phase change, and checkpoint rows', () => {
    const trail = [
      point(1, 'A'),
      point(2, 'A'),
      point(3, 'A', true),
      point(4, 'A'),
      point(5, 'A'),
      point(6, 'B'),
      point(7, 'B'),
      point(8, 'B'),
      point(9, 'C'),
      point(10, 'C'),
    ];
    expect(trailRowsToDrop(trail)).toEqual([2, 4, 7]);
  });

  it('drops nothing from trails of one or two rows', () => {
    expect(trailRowsToDrop([])).toEqual([]);
    expect(trailRowsToDrop([point(1, 'A')])).toEqual([]);
    expect(trailRowsToDrop([point(1, 'A'), point(2, 'A')])).toEqual([]);
  });
});

describe('compacting the progress trail of finished syncs', () => {
  it('waits an hour after the sync ended: just under is kept whole, just over is compacted', () => {
    const { store, clock } = open();
    const endingAt = (age: number, jobId: string) => ({
      jobId,
      start: clock.now() - age - 299_000,
      trailRows: 300,
      outcome: 'completed' as const,
    });
    seed(store, endingAt(HOUR, 'exactly-1h'), endingAt(HOUR + 1, 'just-over'));
    const report = store.retention.runMaintenance();
    expect(trailOf(store, 'exactly-1h')).toHaveLength(300);
    const compacted = trailOf(store, 'just-over');
    expect(report.removed.progressCompacted.rows).toBe(300 - compacted.length);
    expect(report.removed.progressCompacted.bytes).toBeGreaterThan(0);
    // What is left still tells the story: start, end, every checkpoint, every phase change.
    expect(compacted.length).toBeLessThan(45);
    expect(compacted[0]!.elapsed_ms).toBe(0);
    expect(compacted[compacted.length - 1]!.elapsed_ms).toBe(299_000);
    expect(compacted.filter((r) => r.checkpoint_data !== null)).toHaveLength(
      rows(
        store,
        'SELECT 1 FROM progress_updates WHERE job_id = ? AND checkpoint_data IS NOT NULL',
        'exactly-1h',
      ).length,
    );
    const phases = (trail: TrailRow[]) => [...new Set(trail.map((r) => r.phase))];
    expect(phases(compacted)).toEqual(phases(trailOf(store, 'exactly-1h')));
  });

  it('drops a long trail in bounded batches, each its own transaction', () => {
    const { store, clock } = open();
    seed(store, { jobId: 'long', start: clock.now() - DAY, trailRows: 1800, outcome: 'completed' });
    const report = store.retention.runMaintenance();
    expect(report.removed.progressCompacted.rows).toBeGreaterThan(1700);
    // 500 rows per transaction, and the bookkeeping write of the run itself.
    expect(report.transactions).toBeGreaterThanOrEqual(
      1 + Math.ceil(report.removed.progressCompacted.rows / 500),
    );
    expect(trailOf(store, 'long').length).toBe(1800 - report.removed.progressCompacted.rows);
  });

  it('compacts each trail once: the next run finds nothing to do', () => {
    const { store, clock } = open();
    seed(store, { jobId: 'done', start: clock.now() - DAY, trailRows: 200, outcome: 'completed' });
    expect(store.retention.runMaintenance().removed.progressCompacted.rows).toBeGreaterThan(0);
    expect(store.retention.runMaintenance().removed.progressCompacted.rows).toBe(0);
  });

  it('leaves the trail of a running or resumable sync alone', () => {
    const { store, clock } = open();
    seed(
      store,
      {
        jobId: 'resumable',
        start: clock.now() - 3 * HOUR,
        trailRows: 100,
        outcome: 'failed',
        checkpointFiles: 3,
      },
      {
        jobId: 'killed',
        start: clock.now() - 3 * HOUR,
        trailRows: 100,
        outcome: 'killed',
        checkpointFiles: 3,
      },
    );
    const live = store.recording.startSync({ jobId: 'live' });
    for (let i = 1; i <= 50; i++) {
      clock.advance(1000);
      live.update({
        phase: 'Initializing',
        percent: i / 100,
        phasePercent: i,
        filesProcessed: 0,
        totalFiles: 0,
        rate: 0,
      });
    }
    clock.advance(2 * HOUR);
    store.retention.runMaintenance();
    expect(trailOf(store, 'resumable')).toHaveLength(100);
    expect(trailOf(store, 'killed')).toHaveLength(100);
    expect(trailOf(store, 'live').length).toBeGreaterThanOrEqual(50);
    live.finish();
  });
});
