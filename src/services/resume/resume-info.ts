import type { CheckpointRow, SyncHistoryRow } from '../../schema';

/** An incomplete sync that may be resumed: what the prompt shows and programs decide on. */
export interface ResumeInfo {
  jobId: string;
  /** How the sync ended: interrupted (its process died), failed or cancelled. */
  status: 'interrupted' | 'failed' | 'cancelled';
  /** Overall percent at the last checkpoint: where a resume continues from. */
  progress: number;
  phase: string;
  filesProcessed: number;
  totalFiles: number;
  filesRemaining: number;
  startedAt: number;
  /** Last sign of life (ms since the epoch). */
  interruptedAt: number;
  checkpointAt: number | null;
  gitCommit: string | null;
  /** Time to finish, in ms, from the sync's own rates; null when there is nothing to go on. */
  estimatedTime: number | null;
  /**
   * Whether `resume(jobId, { repoDir })` continues from the checkpoint. False when it would
   * start over with a full sync: no checkpoint, a damaged one, or one recorded without a
   * git commit (the changes made since cannot be merged; `resume(jobId)` without a source,
   * or with the caller's own `{ changes }`, still continues from it).
   */
  canResume: boolean;
  /** Why it cannot be resumed, when it cannot. */
  reason: string | null;
}

/** Why a checkpoint recorded without `gitCommit` cannot be resumed against a repository. */
export const NO_COMMIT_TO_MERGE_FROM =
  'no git commit was recorded with this sync, so the changes made since it stopped cannot be merged';

/**
 * @internal
 * Remaining time from the sync's own pace: the files still pending at its last indexing
 * rate when it had one, else the time it took to reach its progress, extrapolated.
 */
export function estimateFromOwnPace(row: SyncHistoryRow, checkpoint: CheckpointRow): number | null {
  const rate = checkpoint.metadata.metrics.rate;
  if (rate > 0 && checkpoint.filesPending > 0) return Math.round((checkpoint.filesPending / rate) * 1000);
  const progress = checkpoint.overallProgress;
  const elapsed = checkpoint.updatedAt - row.startTime;
  // Stryker disable next-line EqualityOperator,ConditionalExpression: at 100% the store's history estimator answers 0 before this is used
  if (progress >= 100) return 0;
  if (progress <= 0 || elapsed <= 0) return null;
  return Math.round((elapsed / progress) * (100 - progress));
}
