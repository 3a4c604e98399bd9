import type { MaintenanceReport } from './maintenance-report';
import { expireCheckpoints } from './checkpoint-expiry';
import { archiveSyncs } from './history-archiver';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';
import { pruneTrails } from './trail-compaction';

const EVERYTHING = Number.MAX_SAFE_INTEGER;

/**
 * Hold the database under its size budget. Once the bytes in use pass the budget (or a
 * write found the disk full: `pressure`), data the retention windows would still keep
 * is pruned, least useful first, oldest first within each kind, until the target is met:
 *
 *   1. checkpoints of finished syncs (a sync no longer resumable; its file log is the
 *      largest thing in the file),
 *   2. whole progress trails of finished syncs (their history rows stay),
 *   3. finished syncs themselves, archived first, then removed.
 *
 * The running sync and a resumable one are never touched, so the target may be missed
 * when they alone are larger; the report then says `overAfter`.
 */
export function* enforceBudget(
  run: MaintenanceRun,
  pressure: boolean,
): MaintenanceSteps<MaintenanceReport['budget']> {
  const { policy } = run;
  const used = run.usedBytes();
  const budgetTarget = Math.floor(policy.maxDatabaseBytes * policy.budgetTargetShare);
  const target = pressure
    ? Math.min(budgetTarget, Math.floor(used * (1 - policy.pressureFreeShare)))
    : budgetTarget;
  const overBefore = used > policy.maxDatabaseBytes;
  if (overBefore || pressure) {
    const met = () => run.usedBytes() <= target;
    run.pruned.checkpoints += yield* expireCheckpoints(run, EVERYTHING, { until: met });
    run.pruned.trails += yield* pruneTrails(run, met);
    run.pruned.syncs += yield* archiveSyncs(run, EVERYTHING, {
      until: met,
      pageSize: Math.max(1, Math.floor(policy.batchRows / 25)),
    });
  }
  return {
    maxBytes: policy.maxDatabaseBytes,
    targetBytes: target,
    overBefore,
    overAfter: run.usedBytes() > policy.maxDatabaseBytes,
    pruned: { ...run.pruned },
  };
}
