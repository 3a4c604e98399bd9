/**
 * A sync's checkpoint as a resume reads it: whether it can be trusted, the plan's files
 * from its file log and what changed since, and how the sync is offered by checkResumable.
 * Functions of ResumeService, kept apart so the service holds the claim and its rules.
 */
import { z } from 'zod';
import { CorruptDatabaseError } from '../../errors';
import type { CheckpointRow, SyncHistoryRow } from '../../schema';
import {
  InconsistentFileLogError,
  UnusableCommitError,
  UntrustedCheckpointError,
} from '../../untrusted-checkpoint';
import { checkpointPhaseProblem } from '../../validation/row-schemas';
import { DamagedRowError } from '../../validation/rows';
import { FileLedger } from '../recording/file-ledger';
import { gitCommitSchema } from '../recording/recording-input';
import type { StoreContext } from '../store-context';
import { changesSince, type FileChange, fileChangesSchema } from './git-changes';
import { estimateFromOwnPace, NO_COMMIT_TO_MERGE_FROM, type ResumeInfo } from './resume-info';
import { mergeChanges } from './resume-plan';

/** What resume() takes as its source (ResumeSource in resume-service.ts). */
export const resumeSourceSchema = z
  .union([
    z.object({ repoDir: z.string().min(1).max(4096) }).strict(),
    z.object({ changes: fileChangesSchema, headCommit: gitCommitSchema.optional() }).strict(),
  ])
  .optional();

/** A checkpoint found fit to resume from, with the plan's files. */
export interface UsableCheckpoint {
  checkpoint: CheckpointRow;
  ledger: FileLedger;
  filesToProcess: string[];
  filesToRemove: string[];
  head: string | null;
}

/**
 * The sync's checkpoint, checked against its file log, with the changes since it merged
 * in. Throws when it cannot be used: isUntrustworthy tells those errors apart.
 */
export function prepareCheckpoint(
  context: StoreContext,
  row: SyncHistoryRow,
  from: z.infer<typeof resumeSourceSchema>,
): UsableCheckpoint {
  const loaded = loadCheckpointRow(context, row);
  if (loaded.problem) throw new CorruptDatabaseError(loaded.problem);
  if (!loaded.checkpoint) throw new CorruptDatabaseError(`sync ${row.jobId} has no checkpoint`);
  const checkpoint = loaded.checkpoint;
  const ledger = FileLedger.load(context.repos.checkpointFiles.list(checkpoint.lineageId), (problem) =>
    context.warn({
      code: 'CORRUPT',
      message: `${problem.message}; its files, all finished, stay finished, and one named again counts as new (the next resume that merges git changes starts over)`,
      error: problem,
    }),
  );
  const counts = ledger.counts();
  if (
    counts.completed !== checkpoint.filesCompleted ||
    counts.pending !== checkpoint.filesPending ||
    counts.skipped !== checkpoint.filesSkipped
  ) {
    throw InconsistentFileLogError.countsDiffer(
      {
        completed: checkpoint.filesCompleted,
        pending: checkpoint.filesPending,
        skipped: checkpoint.filesSkipped,
      },
      counts,
    );
  }
  // The list rows the new sync is handed paths from: a damaged one must make the checkpoint
  // untrusted here, outside the claim, not fail the new sync later. Rows of finished files
  // are read when first needed (see FileLedger.verifyStored).
  ledger.verifyStored();
  let changes: FileChange[] = [];
  let head: string | null = null;
  if (from && 'repoDir' in from) {
    if (!checkpoint.gitCommit) throw new UnusableCommitError(NO_COMMIT_TO_MERGE_FROM);
    let unreadable: number;
    let refused: number;
    ({ head, changes, unreadable, refused } = changesSince(from.repoDir, checkpoint.gitCommit));
    if (unreadable + refused > 0) {
      const why = [
        unreadable > 0 ? `${unreadable} not valid UTF-8` : null,
        refused > 0
          ? `${refused} refused by the path rules (they would name another place on Windows)`
          : null,
      ].filter(Boolean);
      context.warn({
        code: 'UNREADABLE_PATHS',
        message: `file names changed since the checkpoint were left out of the plan: ${why.join(', ')}`,
      });
    }
  } else if (from) {
    changes = from.changes;
    head = from.headCommit ?? null;
  }
  ledger.markSaved();
  const filesToRemove = mergeChanges(ledger, changes);
  // Read here, outside the claim: list rows are decoded as their paths are needed, and a
  // damaged one must make the checkpoint untrusted, not fail the resume.
  const filesToProcess = ledger.handOutPending();
  return { checkpoint, ledger, filesToProcess, filesToRemove, head };
}

/** The sync's checkpoint if it can be trusted: a good row, of one of the sync's phases. */
export function loadCheckpointRow(
  context: StoreContext,
  row: SyncHistoryRow,
): { checkpoint: CheckpointRow | null; problem: string | null } {
  let checkpoint: CheckpointRow | null;
  try {
    checkpoint = context.repos.checkpoints.findByJobId(row.jobId);
  } catch (error) {
    if (!(error instanceof DamagedRowError)) throw error;
    context.warnDamaged(error.damage);
    return { checkpoint: null, problem: `the checkpoint is damaged: ${error.message}` };
  }
  const misfit = checkpoint && checkpointPhaseProblem(checkpoint, row.phases);
  if (misfit) return { checkpoint: null, problem: `the checkpoint is damaged: ${misfit}` };
  return { checkpoint, problem: null };
}

export function describeResumable(
  row: SyncHistoryRow,
  loaded: { checkpoint: CheckpointRow | null; problem: string | null },
  estimator: ((info: ResumeInfo) => number | null) | null,
): ResumeInfo {
  const { checkpoint, problem } = loaded;
  const info: ResumeInfo = {
    jobId: row.jobId,
    status: row.status === 'running' ? 'interrupted' : (row.status as 'failed' | 'cancelled'),
    progress: checkpoint?.overallProgress ?? row.overallProgress,
    phase: checkpoint?.phase ?? row.currentPhase ?? row.phases[0]!.name,
    filesProcessed: checkpoint ? checkpoint.filesCompleted + checkpoint.filesSkipped : row.filesProcessed,
    totalFiles: checkpoint
      ? checkpoint.filesCompleted + checkpoint.filesSkipped + checkpoint.filesPending
      : row.totalFiles,
    filesRemaining: checkpoint?.filesPending ?? Math.max(0, row.totalFiles - row.filesProcessed),
    startedAt: row.startTime,
    interruptedAt: row.lastActivityAt,
    checkpointAt: checkpoint?.updatedAt ?? null,
    gitCommit: checkpoint?.gitCommit ?? row.gitCommit,
    estimatedTime: checkpoint ? estimateFromOwnPace(row, checkpoint) : null,
    // Without a commit, resume() with a repoDir cannot merge what changed since: it starts over.
    canResume: checkpoint !== null && checkpoint.gitCommit !== null,
    reason:
      problem ??
      (!checkpoint ? 'no checkpoint was saved' : checkpoint.gitCommit ? null : NO_COMMIT_TO_MERGE_FROM),
  };
  if (estimator && info.canResume) info.estimatedTime = estimator(info) ?? info.estimatedTime;
  return info;
}

/** Errors that mean "this checkpoint cannot be used", as opposed to "the store is unwell". */
export function isUntrustworthy(error: unknown): boolean {
  return (
    // Stryker disable next-line ConditionalExpression: "every error" differs only for errors a test cannot provoke here (see resume())
    error instanceof UntrustedCheckpointError ||
    error instanceof CorruptDatabaseError ||
    error instanceof SyntaxError ||
    error instanceof z.ZodError
  );
}
