import { isOwnerAlive } from '../liveness';
import type { MaintenanceReport } from './maintenance-report';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';
import { measureSpace } from './space';

type VacuumOutcome = MaintenanceReport['vacuum'];

const DAY = 86_400_000;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/**
 * Give free pages back to the file system. A full VACUUM (which also undoes half-empty
 * pages) runs when all of these hold: the last one was at least a month ago (store_meta
 * `last_vacuum_at`, so "monthly" survives restarts); at least 25% of the file's pages are
 * free; no sync is running (VACUUM holds the write lock for the whole rewrite, about a
 * second for 50 MB here, where every other step holds it for milliseconds); and no write
 * is waiting on a full disk (VACUUM needs room for a copy); and the run was asked for
 * (runMaintenance, `cidx-progress maintain`), not made by the store itself in slices: a
 * VACUUM is one synchronous call that no slice can bound (on a 500 MB file it held the
 * caller's event loop 250–400 ms), so background upkeep only ever gives free pages back
 * incrementally, and the month's VACUUM waits for the next maintenance asked for (the
 * report says so). Otherwise, once at least
 * 1 MB is free (any amount under pressure), `incremental_vacuum` gives the free pages
 * back in short transactions.
 */
export function* reclaimSpace(run: MaintenanceRun, pressure: boolean): MaintenanceSteps<VacuumOutcome> {
  const { context, policy } = run;
  const space = measureSpace(run.repos.storeFile);
  if (run.dryRun) {
    return {
      kind: 'none',
      reason: 'dry run: whether a vacuum is worth it depends on the pages the deletes free',
      bytesReclaimed: 0,
      lockMs: 0,
    };
  }
  const full = fullVacuumVerdict(run, space.freeBytes / space.fileBytes, pressure);
  if (full.worth) {
    const started = context.clock.monotonic();
    try {
      run.repos.storeFile.fullVacuum(context.settings.lockTimeoutMs);
    } finally {
      run.timedVacuum(context.clock.monotonic() - started);
    }
    yield;
    run.write('record vacuum', () => run.repos.storeMeta.set('last_vacuum_at', run.now));
    return {
      kind: 'full',
      reason: full.reason,
      bytesReclaimed: Math.max(0, space.fileBytes - measureSpace(run.repos.storeFile).fileBytes),
      lockMs: run.vacuumLockMs,
    };
  }
  const worthIncremental =
    space.freeBytes > 0 && (pressure || space.freeBytes >= policy.incrementalVacuumMinBytes);
  if (!worthIncremental) {
    return {
      kind: 'none',
      reason: `${full.reason}; only ${megabytes(space.freeBytes)} free, below the 1 MB worth giving back`,
      bytesReclaimed: 0,
      lockMs: 0,
    };
  }
  const reclaimed = yield* giveBackFreePages(run);
  return {
    kind: 'incremental',
    reason: `${full.reason}; incremental_vacuum gave back the free pages`,
    bytesReclaimed: reclaimed,
    lockMs: 0,
  };
}

function fullVacuumVerdict(
  run: MaintenanceRun,
  freeShare: number,
  pressure: boolean,
): { worth: boolean; reason: string } {
  const { policy, repos, context } = run;
  const last = repos.storeMeta.get('last_vacuum_at');
  const age = last === null ? null : run.now - last;
  // A last run in the future means the wall clock went back: do not trust it to delay.
  const due = age === null || age < 0 || age >= policy.vacuumIntervalMs;
  const when = age === null ? 'never ran' : `last ran ${Math.max(0, Math.floor(age / DAY))} days ago`;
  if (!due)
    return {
      worth: false,
      reason: `full VACUUM not due (${when}; at most every ${policy.vacuumIntervalMs / DAY} days)`,
    };
  const share = `${percent(freeShare)} of pages free`;
  if (freeShare < policy.vacuumMinFreeShare) {
    return {
      worth: false,
      reason: `full VACUUM not worth it (${share}, below ${percent(policy.vacuumMinFreeShare)}; ${when})`,
    };
  }
  if (pressure)
    return {
      worth: false,
      reason: `full VACUUM skipped: the disk is full and VACUUM needs room for a copy (${share})`,
    };
  if (run.inSlices)
    return {
      worth: false,
      reason: `full VACUUM due (${share}, ${when}), left to \`cidx-progress maintain\` or runMaintenance(): it is one rewrite of the file that would hold this process for its whole length`,
    };
  const running = repos.syncHistory
    .listResumeCandidates(context.projectId)
    .some((row) => row.status === 'running' && isOwnerAlive(row, context.clock, context.settings));
  if (running)
    return {
      worth: false,
      reason: `full VACUUM postponed: a sync is running and VACUUM would hold its writes (${share})`,
    };
  return {
    worth: true,
    reason: `full VACUUM: ${share} (at least ${percent(policy.vacuumMinFreeShare)}), ${when}`,
  };
}

/**
 * incremental_vacuum in chunks, each its own short transaction, sized to the lock time.
 * The pages to give back are counted up front: pages another process frees meanwhile
 * wait for the next run, and a chunk finding nothing left to give back does nothing.
 * Returns the bytes given back.
 */
function* giveBackFreePages(run: MaintenanceRun): MaintenanceSteps<number> {
  const { storeFile } = run.repos;
  const before = measureSpace(storeFile);
  let left = Math.ceil(before.freeBytes / before.pageSize);
  while (left > 0) {
    const pages = Math.min(left, run.batchSize('pages'));
    run.write('incremental vacuum', () => storeFile.incrementalVacuum(pages), {
      kind: 'pages',
      units: pages,
    });
    left -= pages;
    yield;
  }
  return Math.max(0, before.fileBytes - measureSpace(storeFile).fileBytes);
}
