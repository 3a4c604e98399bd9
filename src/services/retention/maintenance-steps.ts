import { wholeMs } from '../../clock';
import { DatabaseLockedError } from '../../errors';
import { pruneArchive, settleArchive } from './archive-upkeep';
import { expireCheckpoints } from './checkpoint-expiry';
import { clearDamagedSearch, removeDamagedInSteps } from './damaged-row-upkeep';
import { repairFiguresUpkeep } from './figures-upkeep';
import { archiveSyncs } from './history-archiver';
import type { LeaseOwner } from './maintenance-lease';
import type { MaintenanceReport } from './maintenance-report';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';
import { reclaimSpace } from './reclaim-space';
import { maintenanceDueIn } from './retention-policy';
import { enforceBudget } from './size-budget';
import { measureSpace, sizeOf } from './space';
import { compactTrails } from './trail-compaction';

export type MaintenanceTrigger = MaintenanceReport['trigger'];

/**
 * The one way into a maintenance run's steps, in their order, ending with its report.
 * Every run goes through here, whether drained in one go (runMaintenance, a full disk) or
 * advanced a slice at a time between the caller's calls (background-maintenance.ts), so
 * whatever must hold for a whole run (a cross-process lease on maintenance, say) wraps
 * this generator: taken before its first step, released when it returns or is abandoned
 * (`return()` on the generator runs its `finally`).
 *
 * The run is recorded in store_meta (`last_maintenance_at`, its start) by its last write,
 * once everything else is done: a run that failed, was dropped or lost its lease records
 * nothing, so it is still due (for the next store to open, and for `doctor`).
 */
export function* maintenanceSteps(
  run: MaintenanceRun,
  trigger: MaintenanceTrigger,
): MaintenanceSteps<MaintenanceReport> {
  const { policy, now } = run;
  const pressure = trigger === 'disk-full';
  // What a run that died between writing an archive batch and recording it left behind.
  if (!run.dryRun) settleArchive(run);
  // Damaged rows would stop the steps below (they read whole rows): they go first.
  if (!run.dryRun) yield* removeDamagedInSteps(run);
  // Then the history report's stored figures that it cannot use (a damaged sync's went with it).
  if (!run.dryRun) yield* repairFiguresUpkeep(run);
  yield* expireCheckpoints(run, now - policy.checkpointMaxAgeMs, { countKept: true });
  yield* archiveSyncs(run, now - policy.historyMaxAgeMs);
  yield* compactTrails(run, now - policy.trailCompactionDelayMs);
  const budget = yield* enforceBudget(run, pressure);
  const filesDeleted = pruneArchive(
    run.archiveDir,
    now,
    policy.archiveMonths,
    (w) => run.context.warn(w),
    run.dryRun,
  );
  yield;
  const vacuum = yield* reclaimSpace(run, pressure);
  if (!run.dryRun) {
    run.write('record maintenance', () => {
      run.repos.storeMeta.set('last_maintenance_at', now);
      clearDamagedSearch(run.repos.storeMeta);
    });
    run.repos.storeFile.mergeWal();
  }
  return reportOf(run, trigger, { budget, vacuum, filesDeleted });
}

/**
 * The steps of a run that changes things, under the maintenance lease: taken before the
 * first step (waiting up to `waitMs` for another process's run), confirmed by every write,
 * and given back when the steps end, fail or are dropped between slices (`return()` runs
 * the `finally`). A run that did not get it reports `skipped` and does nothing.
 */
export function* leasedMaintenanceSteps(
  run: MaintenanceRun,
  trigger: MaintenanceTrigger,
  waitMs: number,
): MaintenanceSteps<MaintenanceReport> {
  const { lease } = run;
  if (!lease) return yield* maintenanceSteps(run, trigger);
  const holder = lease.acquire(waitMs, run.lockTimeoutMs);
  if (holder) {
    return skippedReport(run, trigger, { reason: 'busy', owner: holder }, busyReason(holder));
  }
  try {
    // A daily run was found due before the lease was ours (maybe slices ago, before a
    // lock timeout): another process may have finished one since. Only under the lease
    // is the answer final.
    if (trigger === 'open') {
      const last = run.read('is maintenance still due', () => run.repos.storeMeta.get('last_maintenance_at'));
      if (last !== null && maintenanceDueIn(last, run.now, run.policy.maintenanceIntervalMs) !== null) {
        const reason = 'another process finished a maintenance run meanwhile';
        return skippedReport(run, trigger, { reason: 'not-due', lastMaintenanceAt: last }, reason);
      }
    }
    return yield* maintenanceSteps(run, trigger);
  } catch (error) {
    // A run that failed (not merely stopped by another process's lock) may have failed on
    // a row damaged behind the search's cursor: the next run searches the whole file.
    if (!(error instanceof DatabaseLockedError)) forgetDamagedSearch(run);
    throw error;
  } finally {
    lease.release();
  }
}

function reportOf(
  run: MaintenanceRun,
  trigger: MaintenanceTrigger,
  parts: Pick<MaintenanceReport, 'budget' | 'vacuum'> & { filesDeleted: string[] },
): MaintenanceReport {
  return {
    dryRun: run.dryRun,
    trigger,
    startedAt: run.now,
    durationMs: run.elapsedMs(),
    transactions: run.transactions,
    longestTransactionMs: run.longestTransactionMs,
    slices: run.slices,
    longestSliceMs: wholeMs(run.longestSlice()),
    removed: run.removed,
    syncsInterrupted: run.syncsInterrupted,
    checkpointsKept: run.checkpointsKept,
    archive: {
      dir: run.archiveDir,
      filesWritten: [...run.archive.filesWritten].sort(),
      rows: run.archive.rows,
      bytesWritten: run.archive.bytesWritten,
      filesDeleted: parts.filesDeleted,
    },
    budget: parts.budget,
    vacuum: parts.vacuum,
    size: {
      before: sizeOf(run.before),
      after: run.dryRun ? sizeOf(run.before) : sizeOf(measureSpace(run.repos.storeFile)),
    },
  };
}

function busyReason(owner: LeaseOwner): string {
  return `maintenance is running in process ${owner.pid} on ${owner.host}`;
}

/**
 * The report of a run that did not start: another process held the maintenance lease,
 * or had finished a run by the time this one held it.
 */
function skippedReport(
  run: MaintenanceRun,
  trigger: MaintenanceTrigger,
  skipped: NonNullable<MaintenanceReport['skipped']>,
  reason: string,
): MaintenanceReport {
  const { policy } = run;
  const over = run.before.usedBytes > policy.maxDatabaseBytes;
  return {
    ...reportOf(run, trigger, {
      budget: {
        maxBytes: policy.maxDatabaseBytes,
        targetBytes: Math.floor(policy.maxDatabaseBytes * policy.budgetTargetShare),
        overBefore: over,
        overAfter: over,
        pruned: { checkpoints: 0, trails: 0, syncs: 0 },
      },
      vacuum: {
        kind: 'none',
        reason,
        bytesReclaimed: 0,
        lockMs: 0,
      },
      filesDeleted: [],
    }),
    skipped,
  };
}

/** Best effort, on the way out of a failed run: the failure is what the caller hears of. */
function forgetDamagedSearch(run: MaintenanceRun): void {
  try {
    run.write('forget the damaged-row search', () => clearDamagedSearch(run.repos.storeMeta));
  } catch {
    // The cursor stays: the next run resumes from it, and a full pass follows the next finished run.
  }
}

/** Run the steps to the end, in one go. */
export function drain<T>(steps: MaintenanceSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
