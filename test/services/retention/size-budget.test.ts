import fs from 'node:fs';
import { readArchive } from '../../../src';
import { writeHeavyMonth } from '../../support/heavy-month';
import {
  closeTestProgressStore,
  openTestProgressStore,
  repoPaths,
  rows,
  storeInternals,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, seed, tableCounts } from './retention-fixtures';

const tmp = useTempDir();

/**
 * The heavy month, scaled so the test runs in seconds: a sync every 10 minutes
 * for 30 days (4,320 syncs), a 1-per-second trail of 20 rows each, and a 2,000-file
 * checkpoint on every 72nd (killed, never resumed), against a 2 MB budget. The full-size
 * month (300-row trails, 100k-file checkpoints, 50 MB) is run by the benchmark.
 */
describe('the size budget', () => {
  it('holds a heavy month under the budget, keeping the running and the resumable sync', () => {
    const budget = 2_000_000;
    const { store, clock } = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      maxDatabaseBytes: budget,
    });
    const month = writeHeavyMonth(storeInternals(store).connection, {
      end: clock.now() - 60_000,
      trailSeconds: 20,
      filesPerCheckpoint: 2000,
    });
    const live = store.recording.startSync({ jobId: 'live', files: repoPaths(3000) });
    const resumable = month.interrupted[month.interrupted.length - 1]!;
    const before = fs.statSync(store.path).size + fs.statSync(`${store.path}-wal`).size;
    expect(before).toBeGreaterThan(3 * budget);

    const report = store.retention.runMaintenance();
    expect(report.budget).toMatchObject({
      maxBytes: budget,
      targetBytes: budget * 0.8,
      overBefore: true,
      overAfter: false,
    });
    // Least useful first: dead checkpoints, then whole trails, then (archived) syncs.
    expect(report.budget.pruned.checkpoints).toBeGreaterThan(0);
    expect(hasCheckpoint(store, 'live')).toBe(true);
    expect(hasCheckpoint(store, resumable)).toBe(true);
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'live'")).toEqual([
      { status: 'running' },
    ]);
    live.finish();
    closeTestProgressStore(store);
    // Closed, the WAL is merged: the file on disk is what counts.
    expect(fs.statSync(store.path).size).toBeLessThan(budget);
    expect(fs.existsSync(`${store.path}-wal`)).toBe(false);
    const archived = report.archive.filesWritten.flatMap((file) => readArchive(file));
    expect(archived.length).toBe(report.archive.rows);
    // The syncs the budget archived are counted as such (within all the run archived).
    expect(report.budget.pruned.syncs).toBeGreaterThan(0);
    expect(report.budget.pruned.syncs).toBeLessThanOrEqual(report.archive.rows);
  });

  it('prunes whole trails of finished syncs before any history row', () => {
    const { store, clock } = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      maxDatabaseBytes: 1_048_576,
    });
    seed(
      store,
      // Finished 20 minutes ago: not compacted yet, so their trails are whole.
      ...Array.from({ length: 60 }, (_, i) => ({
        jobId: `s${i}`,
        start: clock.now() - 30 * 60_000 - i * 1000,
        trailRows: 300,
        outcome: 'completed' as const,
      })),
    );
    const report = store.retention.runMaintenance();
    expect(report.budget.overBefore).toBe(true);
    expect(report.budget.pruned).toMatchObject({ checkpoints: 0, syncs: 0 });
    expect(report.budget.pruned.trails).toBeGreaterThan(0);
    expect(tableCounts(store).syncs).toBe(60);
    expect(report.budget.overAfter).toBe(false);
  });

  it('says so when the running and resumable syncs alone are over the budget', () => {
    const { store, clock } = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      maxDatabaseBytes: 1_048_576,
    });
    seed(store, {
      jobId: 'big',
      start: clock.now() - DAY / 2,
      trailRows: 2,
      outcome: 'failed',
      checkpointFiles: 40_000,
    });
    const report = store.retention.runMaintenance();
    expect(report.budget).toMatchObject({
      overBefore: true,
      overAfter: true,
      pruned: { checkpoints: 0, trails: 0, syncs: 0 },
    });
    expect(hasCheckpoint(store, 'big')).toBe(true);
  });
});

describe('pruning checkpoints for the size budget', () => {
  it('takes the oldest checkpoints of finished syncs first, and only as many as needed', () => {
    const { store, clock } = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      maxDatabaseBytes: 2_000_000,
    });
    // Six failed syncs of the last week, past the resume window, each with a large file log.
    seed(
      store,
      ...Array.from({ length: 6 }, (_, i) => ({
        jobId: `failed-${i}`,
        start: clock.now() - (6 - i) * DAY,
        trailRows: 2,
        outcome: 'failed' as const,
        checkpointFiles: 8000,
      })),
    );
    const report = store.retention.runMaintenance();
    expect(report.budget.overBefore).toBe(true);
    expect(report.budget.overAfter).toBe(false);
    const kept = rows<{ job_id: string }>(store, 'SELECT job_id FROM checkpoints ORDER BY job_id').map(
      (r) => r.job_id,
    );
    expect(report.budget.pruned.checkpoints).toBe(6 - kept.length);
    expect(kept.length).toBeGreaterThan(0);
    // The newest survive: what went is a prefix of the oldest.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `failed-${6 - kept.length + i}`));
    expect(report.budget.pruned).toMatchObject({ trails: 0, syncs: 0 });
  });
});
