import type { Repositories } from '../repositories';

/**
 * Remove a job's checkpoint, and its lineage's file log once no checkpoint builds on it
 * any more. Must run inside the caller's unit of work.
 */
export function dropCheckpoint(repos: Repositories, jobId: string): void {
  const checkpoint = repos.checkpoints.findByJobIdRaw(jobId);
  if (!checkpoint) return;
  repos.checkpoints.delete(jobId);
  if (repos.checkpoints.countByLineage(checkpoint.lineageId) === 0) {
    repos.checkpointFiles.deleteLineage(checkpoint.lineageId);
  }
}
