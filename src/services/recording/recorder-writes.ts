/**
 * The rows a recording sync writes, and the transactions that write them: a progress row,
 * a checkpoint, the outcome. Each is fed one snapshot of the recorder's state, so what is
 * written is decided by the recorder (its state machine and when-to-write policy) and how
 * it is written lives here.
 */
import { ConflictError } from '../../errors';
import type { CheckpointRow } from '../../schema';
import type { OutcomeStatus } from '../../schema/sync-status';
import type { CheckpointMetadata, SyncErrorRecord } from '../../validation/json-columns';
import { dropCheckpoint } from '../drop-checkpoint';
import type { StoreContext } from '../store-context';
import type { FileLedger } from './file-ledger';
import type { ProgressUpdate } from './recording-input';

/** The recorder's state at the moment of a write: everything a row needs. */
export interface RecorderSnapshot {
  jobId: string;
  lineageId: string;
  /** Wall time of the write: the sync's start plus monotonic time elapsed. */
  at: number;
  /** Whole monotonic ms since the sync started. */
  elapsedMs: number;
  /** The monotonic clock now, kept beside `at` for the liveness check on this boot. */
  mono: number;
  /** The latest progress reported (after the never-backwards rule). */
  progress: ProgressUpdate;
  phaseStartedAt: number;
  phaseDurations: Record<string, number>;
  gitCommit: string | null;
  checkpointCreatedAt: number;
}

/** What a checkpoint adds to the snapshot: its number, the ledger it saves, its metadata. */
export interface CheckpointFacts {
  seq: number;
  ledger: FileLedger;
  metadata: CheckpointMetadata;
}

/** A checkpoint's metadata: the process figures now, and the caller's own data if any. */
export function checkpointMetadata(
  metrics: CheckpointMetadata['metrics'],
  caller: Record<string, unknown> | undefined,
): CheckpointMetadata {
  return { metrics, ...(caller ? { caller } : {}) };
}

/** How a sync ended, for its history row. */
export interface SyncOutcome {
  status: OutcomeStatus;
  error: SyncErrorRecord | null;
  resources: { peakMemoryBytes: number; meanCpuPercent: number };
  filesChanged: number | null;
  filesIndexed: number;
  bytesProcessed: number | null;
  /** A failed or cancelled sync keeps its checkpoint so it can be resumed; a completed one drops it. */
  keepCheckpoint: boolean;
}

/** A progress row and the sync's heartbeat, in one short transaction. */
export function writeProgress(context: StoreContext, snap: RecorderSnapshot): void {
  context.write(
    `progress ${snap.jobId}`,
    () => {
      context.repos.progressUpdates.insert(progressRow(snap, null));
      touchSync(context, snap);
    },
    context.settings.recordLockTimeoutMs,
  );
}

/**
 * A checkpoint in one transaction: the ledger's file log since the previous one, the
 * checkpoint row, the phase durations so far, a progress row that says a checkpoint was
 * written, and the heartbeat. Once committed, the ledger's events count as saved.
 */
export function writeCheckpoint(
  context: StoreContext,
  snap: RecorderSnapshot,
  checkpoint: CheckpointFacts,
): void {
  const { repos } = context;
  const { seq, ledger } = checkpoint;
  const counts = ledger.counts();
  const row: CheckpointRow = {
    jobId: snap.jobId,
    lineageId: snap.lineageId,
    seq,
    createdAt: snap.checkpointCreatedAt,
    updatedAt: snap.at,
    gitCommit: snap.gitCommit,
    phase: snap.progress.phase,
    phaseProgress: snap.progress.phasePercent,
    overallProgress: snap.progress.percent,
    phaseStartedAt: snap.phaseStartedAt,
    filesCompleted: counts.completed,
    filesPending: counts.pending,
    filesSkipped: counts.skipped,
    metadata: checkpoint.metadata,
  };
  context.write(
    `checkpoint ${snap.jobId}`,
    () => {
      for (const event of ledger.unsavedEvents())
        repos.checkpointFiles.append(snap.lineageId, snap.jobId, seq, event);
      repos.checkpoints.upsert(row);
      repos.syncHistory.recordPhaseDurations(snap.jobId, snap.phaseDurations);
      repos.progressUpdates.insert(
        progressRow(snap, {
          seq,
          filesCompleted: counts.completed,
          filesPending: counts.pending,
          filesSkipped: counts.skipped,
        }),
      );
      touchSync(context, snap);
    },
    context.settings.recordLockTimeoutMs,
  );
  ledger.markSaved();
}

/**
 * The end of a sync: its last progress row and its history row, and once completed its
 * figures recorded for the report (schema/sync-figures.ts) and its checkpoint dropped. A sync another process took over meanwhile is a ConflictError.
 */
export function writeOutcome(context: StoreContext, snap: RecorderSnapshot, outcome: SyncOutcome): void {
  const { repos } = context;
  context.write(`${outcome.status} sync ${snap.jobId}`, () => {
    repos.progressUpdates.insert(progressRow(snap, null));
    const ok = repos.syncHistory.finish(snap.jobId, {
      status: outcome.status,
      endTime: snap.at,
      totalDuration: snap.elapsedMs,
      phaseDurations: snap.phaseDurations,
      currentPhase: snap.progress.phase,
      overallProgress: snap.progress.percent,
      filesProcessed: snap.progress.filesProcessed,
      totalFiles: snap.progress.totalFiles,
      filesChanged: outcome.filesChanged,
      filesIndexed: outcome.filesIndexed,
      bytesProcessed: outcome.bytesProcessed,
      errors: outcome.error ? [outcome.error] : null,
      ...outcome.resources,
    });
    if (!ok) throw takenOver(snap.jobId);
    // Stryker disable next-line ConditionalExpression: RECORD_FIGURES records a completed sync only; this spares the statement for the others
    if (outcome.status === 'completed') repos.syncFigures.record(snap.jobId);
    if (!outcome.keepCheckpoint) dropCheckpoint(repos, snap.jobId);
  });
}

function touchSync(context: StoreContext, snap: RecorderSnapshot): void {
  const ok = context.repos.syncHistory.updateProgress(snap.jobId, {
    currentPhase: snap.progress.phase,
    overallProgress: snap.progress.percent,
    filesProcessed: snap.progress.filesProcessed,
    totalFiles: snap.progress.totalFiles,
    lastActivityAt: snap.at,
    lastActivityMono: snap.mono,
  });
  if (!ok) throw takenOver(snap.jobId);
}

function progressRow(
  snap: RecorderSnapshot,
  checkpointData: { seq: number; filesCompleted: number; filesPending: number; filesSkipped: number } | null,
) {
  return {
    jobId: snap.jobId,
    timestamp: snap.at,
    elapsedMs: snap.elapsedMs,
    phase: snap.progress.phase,
    overallProgress: snap.progress.percent,
    phaseProgress: snap.progress.phasePercent,
    filesProcessed: snap.progress.filesProcessed,
    totalFiles: snap.progress.totalFiles,
    rate: snap.progress.rate,
    checkpointData,
  };
}

function takenOver(jobId: string): ConflictError {
  return new ConflictError(`sync ${jobId} is no longer running here (taken over by a resume)`);
}
