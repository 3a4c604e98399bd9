import type { ExpiringCheckpoint } from '../../repositories/checkpoints.repository';
import type { SyncHistoryRow } from '../../schema';
import { dropCheckpoint } from '../drop-checkpoint';
import {
  CHECKPOINT_OVERHEAD_BYTES,
  type MaintenanceRun,
  type MaintenanceSteps,
  takeBatch,
} from './maintenance-run';

export interface ExpiryOptions {
  /** Stop before the next batch once this says so (the size budget is met). */
  until?: () => boolean;
  /** Count the checkpoints kept because their sync is running or resumable (the daily pass does). */
  countKept?: boolean;
}

/**
 * Delete checkpoints last updated before `cutoff`, oldest first, never one of a running
 * or still-resumable sync. A sync that is still `running` with its owner gone is marked
 * interrupted as its checkpoint goes. The lineage's file log goes with the last
 * checkpoint that builds on it (dropCheckpoint). Batches are sized by the file-log bytes
 * they free, adapting to the lock time measured. Returns the number of checkpoints removed.
 */
export function* expireCheckpoints(
  run: MaintenanceRun,
  cutoff: number,
  options: ExpiryOptions,
): MaintenanceSteps<number> {
  const { policy, repos } = run;
  const lineagesLeft = new Map<string, number>();
  let cursor: { updatedAt: number; jobId: string } | null = null;
  let removed = 0;
  for (;;) {
    const after: typeof cursor = cursor;
    const page: ExpiringCheckpoint[] = run.read('list old checkpoints', () =>
      repos.checkpoints.listUpdatedBefore(cutoff, after, policy.batchRows),
    );
    if (page.length === 0) break;
    const last = page[page.length - 1]!;
    cursor = { updatedAt: last.updatedAt, jobId: last.jobId };
    const doomed = run.read('classify old checkpoints', () =>
      page.flatMap((checkpoint) => {
        if (run.handled.checkpoints.has(checkpoint.jobId)) return [];
        const row = repos.syncHistory.findByJobId(checkpoint.jobId);
        const keep = row !== null && run.standing(row, true) !== 'finished';
        if (keep && options.countKept) run.checkpointsKept += 1;
        // Its sync active since the cutoff by the monotonic clock: the wall clock jumped.
        const recent = row !== null && !run.quietSince(row, cutoff);
        return keep || recent ? [] : [{ checkpoint, running: row?.status === 'running' ? row : null }];
      }),
    );
    yield;
    while (doomed.length > 0) {
      if (options.until?.()) return removed;
      const { batch, weight } = takeBatch(doomed, freedBytes, run.batchSize('checkpointBytes'));
      removed += run.dryRun ? tallyDryRun(run, batch, lineagesLeft) : expireBatch(run, batch, weight);
      yield;
    }
  }
  return removed;
}

/** What deleting a checkpoint costs, roughly: its file log (when it goes with it) and its own rows. */
const freedBytes = (d: Doomed) => d.checkpoint.lineageBytes + CHECKPOINT_OVERHEAD_BYTES;

interface Doomed {
  checkpoint: ExpiringCheckpoint;
  /** The sync's row when it is still `running` (its owner gone): it becomes interrupted. */
  running: SyncHistoryRow | null;
}

/**
 * No second look under the write lock is needed: a sync found finished stays finished
 * (a dead owner does not come back, a resume window does not reopen), and a resume that
 * races us takes the checkpoint away itself, leaving nothing here to drop.
 */
function expireBatch(run: MaintenanceRun, batch: Doomed[], weight: number): number {
  return run.write(
    'expire checkpoints',
    () =>
      batch.filter(({ checkpoint, running }) => dropCheckpointTallied(run, checkpoint.jobId, running)).length,
    { kind: 'checkpointBytes', units: weight },
  );
}

/**
 * Remove a finished sync's checkpoint (if it has one) and count what went; mark a
 * `running` sync whose owner is gone as interrupted. Runs inside the caller's write
 * (checked): what it tallies must be what that write removes.
 */
export function dropCheckpointTallied(
  run: MaintenanceRun,
  jobId: string,
  row: SyncHistoryRow | null,
): boolean {
  const { repos } = run;
  repos.unitOfWork.assertOpen('expiring a checkpoint');
  if (
    row?.status === 'running' &&
    repos.syncHistory.transition(jobId, ['running'], 'interrupted', { endTime: row.lastActivityAt })
  ) {
    run.syncsInterrupted += 1;
  }
  const found = repos.checkpoints.findExpiring(jobId);
  if (!found) return false;
  run.handled.checkpoints.add(jobId);
  run.tally('checkpoints', 1, found.bytes);
  if (found.lineageCheckpoints === 1) run.tally('checkpointFiles', found.lineageRows, found.lineageBytes);
  dropCheckpoint(repos, jobId);
  return true;
}

function tallyDryRun(run: MaintenanceRun, batch: Doomed[], lineagesLeft: Map<string, number>): number {
  for (const { checkpoint, running } of batch) {
    const left = (lineagesLeft.get(checkpoint.lineageId) ?? checkpoint.lineageCheckpoints) - 1;
    lineagesLeft.set(checkpoint.lineageId, left);
    run.handled.checkpoints.add(checkpoint.jobId);
    run.tally('checkpoints', 1, checkpoint.bytes);
    if (left === 0) run.tally('checkpointFiles', checkpoint.lineageRows, checkpoint.lineageBytes);
    if (running) run.syncsInterrupted += 1;
  }
  return batch.length;
}
