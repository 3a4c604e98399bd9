import { pruneArchive } from './archive';
import { expireCheckpoints } from './checkpoint-expiry';
import { archiveSyncs } from './history-archiver';
import type { MaintenanceReport } from './maintenance-report';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';
import { reclaimSpace } from './reclaim-space';
import { enforceBudget } from './size-budget';
import { measureSpace, mergeWal, sizeOf } from './space';
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
 * `claimed`: the caller already recorded the run in store_meta (runIfDue, a slice's claim).
 */
export function* maintenanceSteps(run: MaintenanceRun, trigger: MaintenanceTrigger, claimed: boolean): MaintenanceSteps<MaintenanceReport> {
  const { policy, now } = run;
  const pressure = trigger === 'disk-full';
  if (!run.dryRun && !claimed) run.write('record maintenance', () => run.repos.storeMeta.set('last_maintenance_at', now));
  yield* expireCheckpoints(run, now - policy.checkpointMaxAgeMs, { countKept: true });
  yield* archiveSyncs(run, now - policy.historyMaxAgeMs);
  yield* compactTrails(run, now - policy.trailCompactionDelayMs);
  const budget = yield* enforceBudget(run, pressure);
  const filesDeleted = pruneArchive(run.archiveDir, now, policy.archiveMonths, run.dryRun);
  yield;
  const vacuum = yield* reclaimSpace(run, pressure);
  if (!run.dryRun) mergeWal(run.context.connection.sqlite);
  return {
    dryRun: run.dryRun,
    trigger,
    startedAt: now,
    durationMs: run.elapsedMs(),
    transactions: run.transactions,
    longestTransactionMs: run.longestTransactionMs,
    slices: run.slices,
    longestSliceMs: run.longestSlice(),
    removed: run.removed,
    syncsInterrupted: run.syncsInterrupted,
    checkpointsKept: run.checkpointsKept,
    archive: {
      dir: run.archiveDir,
      filesWritten: [...run.archive.filesWritten].sort(),
      rows: run.archive.rows,
      bytesWritten: run.archive.bytesWritten,
      filesDeleted,
    },
    budget,
    vacuum,
    size: { before: sizeOf(run.before), after: run.dryRun ? sizeOf(run.before) : sizeOf(measureSpace(run.context.connection)) },
  };
}

/** Run the steps to the end, in one go. */
export function drain<T>(steps: MaintenanceSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
