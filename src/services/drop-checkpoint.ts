import type { Repositories } from '../repositories';

/**
 * Remove a job's checkpoint, and its lineage's file log once no checkpoint builds on it
 * any more. Runs inside the caller's unit of work (checked): the count and the lineage's
 * deletion are only right in one transaction, where no other process can add a
 * checkpoint to the lineage between them.
 */
export function dropCheckpoint(repos: Repositories, jobId: string): void {
  repos.unitOfWork.assertOpen('dropping a checkpoint');
  const checkpoint = repos.checkpoints.findByJobIdRaw(jobId);
  if (!checkpoint) return;
  repos.checkpoints.delete(jobId);
  if (repos.checkpoints.countByLineage(checkpoint.lineageId) === 0) {
    repos.checkpointFiles.deleteLineage(checkpoint.lineageId);
  }
}
