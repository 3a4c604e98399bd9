import fs from 'node:fs';
import { maintenanceReportSchema, type ProgressStore } from '../../../src';
import { openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, HOUR, seed, writeV01MonthFile } from './retention-fixtures';

const tmp = useTempDir();

const TABLES = ['sync_history', 'progress_updates', 'checkpoints', 'checkpoint_files', 'store_meta'];
const snapshot = (store: ProgressStore) => ({
  tables: Object.fromEntries(TABLES.map((t) => [t, rows(store, `SELECT * FROM ${t} ORDER BY rowid`)])),
  archive: listDir(store.retention.archiveDir).map((name) =>
    fs.readFileSync(`${store.retention.archiveDir}/${name}`).toString('base64'),
  ),
});

/** A store with something for every step to do. */
function busyStore(maxDatabaseBytes?: number) {
  const opened = openTestProgressStore(tmp.path, {
    autoMaintenance: false,
    ...(maxDatabaseBytes ? { maxDatabaseBytes } : {}),
  });
  const { store, clock } = opened;
  const now = clock.now();
  writeV01MonthFile(store.retention.archiveDir, '2024-05', []);
  seed(
    store,
    { jobId: 'old-killed', start: now - 45 * DAY, trailRows: 50, outcome: 'killed', checkpointFiles: 100 },
    { jobId: 'old-done', start: now - 40 * DAY, trailRows: 50, outcome: 'completed' },
    { jobId: 'week-killed', start: now - 8 * DAY, trailRows: 50, outcome: 'killed', checkpointFiles: 300 },
    { jobId: 'failed-3d', start: now - 3 * DAY, trailRows: 80, outcome: 'failed', checkpointFiles: 200 },
    { jobId: 'done-2h', start: now - 2 * HOUR, trailRows: 300, outcome: 'completed' },
    { jobId: 'resumable', start: now - 2 * HOUR, trailRows: 30, outcome: 'cancelled', checkpointFiles: 50 },
  );
  const live = opened.store.recording.startSync({ jobId: 'live', files: repoPaths(10) });
  return { ...opened, live };
}

describe('a dry run', () => {
  it('changes nothing, and reports what the real run then does', () => {
    const { store, live } = busyStore();
    const before = snapshot(store);
    const dry = store.retention.runMaintenance({ dryRun: true });
    expect(snapshot(store)).toEqual(before);
    expect(maintenanceReportSchema.parse(dry)).toEqual(dry);
    expect(dry.dryRun).toBe(true);
    expect(dry.size.after).toEqual(dry.size.before);
    expect(dry.vacuum.kind).toBe('none');
    expect(dry.vacuum.reason).toMatch(/^dry run/);

    const real = store.retention.runMaintenance();
    // The same rows; payload bytes too, except a killed sync's row, which the real run
    // marks interrupted (different column values) before archiving it.
    const { syncHistory, ...rest } = real.removed;
    expect(rest).toEqual({ ...dry.removed, syncHistory: undefined });
    expect(syncHistory.rows).toBe(dry.removed.syncHistory.rows);
    expect(Math.abs(syncHistory.bytes - dry.removed.syncHistory.bytes)).toBeLessThan(50);
    expect(real.removed.checkpoints.rows).toBe(2);
    expect(real.removed.syncHistory.rows).toBe(2);
    expect(real.removed.progressCompacted.rows).toBeGreaterThan(0);
    for (const key of ['syncsInterrupted', 'checkpointsKept'] as const) expect(real[key]).toBe(dry[key]);
    expect(real.archive.rows).toBe(dry.archive.rows);
    // A dry run writes no file; the real run one per batch and month.
    expect(dry.archive.filesWritten).toEqual([]);
    expect(real.archive.filesWritten).toHaveLength(1);
    expect(real.archive.filesDeleted).toEqual(dry.archive.filesDeleted);
    expect(real.archive.filesDeleted).toHaveLength(1);
    live.finish();
  });

  it('projects the size budget without pruning anything', () => {
    const { store, live } = busyStore(1_048_576);
    seed(
      store,
      ...Array.from({ length: 40 }, (_, i) => ({
        jobId: `recent-${i}`,
        start: store['context'].clock.now() - 40 * 60_000 - i * 1000,
        trailRows: 300,
        outcome: 'completed' as const,
      })),
    );
    const before = snapshot(store);
    const dry = store.retention.runMaintenance({ dryRun: true });
    expect(snapshot(store)).toEqual(before);
    expect(dry.budget.overBefore).toBe(true);
    expect(dry.budget.pruned.trails).toBeGreaterThan(0);
    // Not the running or the resumable sync, in a projection either.
    expect(store.retention.runMaintenance().budget.overAfter).toBe(false);
    expect(rows(store, 'SELECT job_id FROM checkpoints ORDER BY job_id')).toEqual([
      { job_id: 'live' },
      { job_id: 'resumable' },
    ]);
    live.finish();
  });

  it('rejects options it does not know, naming them', () => {
    const { store, live } = busyStore();
    expect(() => store.retention.runMaintenance({ dryRun: 'yes' } as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('dryRun') }),
    );
    expect(() => store.retention.runMaintenance({ force: true } as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
    live.finish();
  });
});
