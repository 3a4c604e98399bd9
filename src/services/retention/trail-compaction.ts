import { trailRowsToDrop } from '../../repositories/trail-rule';
import type { SyncHistoryRow } from '../../schema';
import { removeTrails } from './history-archiver';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';

// Which rows compaction keeps is one rule, beside the SQL that selects long trails by it.
export { type TrailPoint, trailRowsToDrop } from '../../repositories/trail-rule';

/**
 * Compact the trails of finished syncs whose last activity is before `cutoff`. Rows to
 * drop are gathered across syncs and deleted a batch per transaction (sized to the lock
 * time, see batch-sizer.ts). Returns the number of syncs compacted.
 */
export function* compactTrails(run: MaintenanceRun, cutoff: number): MaintenanceSteps<number> {
  const { repos, policy } = run;
  const pending: Array<{ id: number; bytes: number }> = [];
  const flush = (count: number) => {
    const batch = pending.splice(0, count);
    const bytes = batch.reduce((sum, r) => sum + r.bytes, 0);
    if (run.dryRun) return run.tally('progressCompacted', batch.length, bytes);
    const ids = batch.map((r) => r.id);
    const deleted = run.write('compact trails', () => repos.progressUpdates.deleteByIds(ids), {
      kind: 'rows',
      units: ids.length,
    });
    run.tally('progressCompacted', deleted, bytes);
  };
  let afterId = 0;
  let compacted = 0;
  for (;;) {
    const from = afterId;
    const page: SyncHistoryRow[] = run.read('list long trails', () =>
      repos.syncHistory.listWithLongTrails(cutoff, from, policy.batchRows),
    );
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    yield;
    for (const row of page) {
      const drop = run.read('read trail', () => {
        // Archived by this run (in a dry run, still in the table): nothing to compact.
        if (
          run.handled.syncs.has(row.jobId) ||
          !run.quietSince(row, cutoff) ||
          run.standing(row) !== 'finished'
        )
          return [];
        const trail = repos.progressUpdates.trailShape(row.jobId);
        const ids = new Set(trailRowsToDrop(trail));
        return trail.filter((point) => ids.has(point.id));
      });
      if (drop.length > 0) {
        compacted += 1;
        run.compacted.set(row.jobId, { rows: drop.length, bytes: drop.reduce((sum, r) => sum + r.bytes, 0) });
      }
      pending.push(...drop);
      yield;
      while (pending.length >= run.batchSize('rows')) {
        flush(run.batchSize('rows'));
        yield;
      }
    }
  }
  while (pending.length > 0) {
    flush(run.batchSize('rows'));
    yield;
  }
  return compacted;
}

/**
 * Under the size budget: remove whole trails of finished syncs, oldest first, keeping
 * their history rows; a page of syncs at a time, so little more than needed goes.
 * Returns the number of trails removed.
 */
export function* pruneTrails(run: MaintenanceRun, until: () => boolean): MaintenanceSteps<number> {
  let afterId = 0;
  let pruned = 0;
  for (;;) {
    if (until()) break;
    const from = afterId;
    const page: SyncHistoryRow[] = run.read('list trails', () =>
      run.repos.syncHistory.listWithTrails(from, TRAILS_PER_PAGE),
    );
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    const finished = run.read('classify syncs', () =>
      page.filter(
        (row) =>
          !run.handled.trails.has(row.jobId) &&
          !run.handled.syncs.has(row.jobId) &&
          run.standing(row) === 'finished',
      ),
    );
    yield;
    if (finished.length === 0) continue;
    yield* removeTrails(
      run,
      finished.map((row) => row.jobId),
    );
    pruned += finished.length;
  }
  return pruned;
}

/** Syncs whose trails are pruned together (a day of syncs at one every 10 minutes is 144). */
const TRAILS_PER_PAGE = 25;
