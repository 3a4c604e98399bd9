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
  canResume: boolean;
  /** Why it cannot be resumed, when it cannot. */
  reason: string | null;
}

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
  if (progress <= 0 || progress >= 100 || elapsed <= 0) return progress >= 100 ? 0 : null;
  return Math.round((elapsed / progress) * (100 - progress));
}
