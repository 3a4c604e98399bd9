/** Kept apart from ResumeService: the checks and clean-up every claim on an old sync goes through, whichever way the resume ends. */
import { ConflictError } from '../../errors';
import type { SyncHistoryRow } from '../../schema';
import { dropCheckpoint } from '../drop-checkpoint';
import { isOwnerAlive } from '../liveness';
import type { StoreContext } from '../store-context';

/** Only the latest checkpoint counts: older incomplete syncs are given up. */
export function supersedeOlder(context: StoreContext, row: SyncHistoryRow): void {
  const { repos, clock, settings, projectId } = context;
  for (const older of repos.syncHistory.listResumeCandidates(projectId)) {
    // Newer syncs are kept. The row itself is no longer a candidate (claimed or abandoned
    // earlier in this transaction), so `>` would do the same.
    // Stryker disable next-line EqualityOperator: equivalent, as said above
    if (older.id >= row.id) continue;
    if (older.status === 'running') {
      if (isOwnerAlive(older, clock, settings)) continue;
      repos.syncHistory.transition(older.jobId, ['running'], 'interrupted', {
        endTime: older.lastActivityAt,
      });
    }
    dropCheckpoint(repos, older.jobId);
  }
}

/** Throws a ConflictError unless the sync can be resumed now. */
export function assertClaimable(context: StoreContext, row: SyncHistoryRow): void {
  switch (row.status) {
    case 'resumed':
      throw new ConflictError(`sync ${row.jobId} was already resumed by ${row.resumedByJobId}`);
    case 'completed':
    case 'interrupted':
      throw new ConflictError(`sync ${row.jobId} is ${row.status}; there is nothing to resume`);
    case 'running':
      if (isOwnerAlive(row, context.clock, context.settings)) {
        throw new ConflictError(
          `sync ${row.jobId} is still running in process ${row.ownerPid} on ${row.ownerHost}`,
        );
      }
  }
}
