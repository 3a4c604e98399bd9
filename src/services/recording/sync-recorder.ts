import { ConflictError, ProgressStoreError, ValidationError } from '../../errors';
import type { CheckpointRow } from '../../schema';
import type { SyncStatus } from '../../schema/sync-status';
import type { PhaseDefinition, SyncErrorRecord } from '../../validation/json-columns';
import { filePathListSchema } from '../../validation/file-paths';
import { parseInput } from '../../validation/parse';
import { dropCheckpoint } from '../drop-checkpoint';
import { ownership } from '../liveness';
import type { StoreContext } from '../store-context';
import type { FileCounts, FileLedger } from './file-ledger';
import { PhaseTimer } from './phase-timer';
import { ProcessSampler } from './process-sampler';
import { toFailureRecord } from './failure-record';
import {
  cancelReasonSchema,
  type FailureInput,
  type FinishInput,
  finishInputSchema,
  type ProgressUpdate,
  progressUpdateSchema,
} from './recording-input';

export interface RecorderInit {
  jobId: string;
  lineageId: string;
  phases: PhaseDefinition[];
  gitCommit: string | null;
  ledger: FileLedger;
  /** Number of the checkpoint already in the database for this job. */
  checkpointSeq: number;
  checkpointCreatedAt: number;
  startWall: number;
  startPhase: string;
  metadata: Record<string, unknown> | undefined;
}

export type RecorderState = 'recording' | SyncStatus | 'detached';

/** Percent boundaries at which a checkpoint is written. */
const CHECKPOINT_STEP = 5;

/**
 * Records one running sync. `update()` is cheap enough to call per file: it validates,
 * keeps the latest state in memory, and writes only when a second has passed, a 5%
 * boundary was crossed or the phase changed. A write that fails (disk full, lock held
 * too long) is reported through `onWarning` and retried later with the latest state;
 * it never throws into the caller's sync loop. Only bad input throws.
 */
export class SyncRecorder {
  readonly jobId: string;
  readonly lineageId: string;
  private readonly phases: PhaseDefinition[];
  private readonly timer: PhaseTimer;
  private readonly sampler: ProcessSampler;
  private readonly startMono: number;
  private latest: ProgressUpdate;
  private phaseIndex: number;
  private phaseStartedAt: number;
  private checkpointSeq: number;
  private checkpointBucket: number;
  private checkpointDue = false;
  private dirty = false;
  private lastWriteMono: number;
  /** After a failed write, nothing is tried again before this (monotonic ms). */
  private retryAtMono = 0;
  private callerCheckpointData: Record<string, unknown> | undefined;
  private state: RecorderState = 'recording';
  private heartbeat: NodeJS.Timeout | null = null;

  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(
    private readonly context: StoreContext,
    private readonly init: RecorderInit,
  ) {
    this.jobId = init.jobId;
    this.lineageId = init.lineageId;
    this.phases = init.phases;
    const { clock } = context;
    this.startMono = clock.monotonic();
    this.lastWriteMono = this.startMono;
    this.timer = new PhaseTimer(() => clock.monotonic());
    this.sampler = new ProcessSampler(context.settings.probe, () => clock.monotonic());
    this.phaseIndex = Math.max(0, this.phases.findIndex((p) => p.name === init.startPhase));
    this.timer.enter(this.phases[this.phaseIndex]!.name);
    this.phaseStartedAt = init.startWall;
    this.checkpointSeq = init.checkpointSeq;
    this.checkpointBucket = 0;
    const counts = init.ledger.counts();
    this.latest = {
      phase: this.phases[this.phaseIndex]!.name,
      percent: 0,
      phasePercent: 0,
      filesProcessed: counts.completed + counts.skipped,
      totalFiles: init.ledger.size,
      rate: 0,
    };
    ownership.claim(this.jobId);
    context.activeRecorders.add(this);
    this.heartbeat = setInterval(() => this.beat(), context.settings.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** `recording` while running; then how it ended, or `detached` if another process took it over. */
  get status(): RecorderState {
    return this.state;
  }

  get files(): FileCounts {
    return this.init.ledger.counts();
  }

  /** Report progress. Call as often as you like: the store decides what to write. */
  update(input: ProgressUpdate): void {
    this.assertRecording();
    const next = parseInput(progressUpdateSchema, input, 'update');
    const index = this.phases.findIndex((p) => p.name === next.phase);
    if (index < 0) {
      throw new ValidationError([{ path: 'phase', message: `unknown phase ${JSON.stringify(next.phase)}` }], 'update');
    }
    if (index < this.phaseIndex) {
      throw new ValidationError(
        [{ path: 'phase', message: `went back from ${JSON.stringify(this.latest.phase)} to ${JSON.stringify(next.phase)}` }],
        'update',
      );
    }
    if (next.percent < this.latest.percent) {
      throw new ValidationError(
        [{ path: 'percent', message: `went backwards from ${this.latest.percent} to ${next.percent}` }],
        'update',
      );
    }
    if (index !== this.phaseIndex) {
      this.phaseIndex = index;
      this.timer.enter(next.phase);
      this.phaseStartedAt = this.wallNow();
      this.checkpointDue = true;
    }
    if (next.checkpointData) this.callerCheckpointData = next.checkpointData;
    this.latest = next;
    this.dirty = true;
    if (Math.floor(next.percent / CHECKPOINT_STEP) > this.checkpointBucket) this.checkpointDue = true;
    const mono = this.context.clock.monotonic();
    if (mono < this.retryAtMono) return;
    if (this.checkpointDue) this.persist(true);
    else if (mono - this.lastWriteMono >= this.context.settings.throttleMs) this.persist(false);
  }

  /** Add files to the work list (after change detection, say). */
  planFiles(paths: readonly string[]): void {
    this.assertRecording();
    this.init.ledger.plan(parseInput(filePathListSchema, paths, 'planFiles'));
  }

  /** Files indexed. Saved with the next checkpoint; call flush() to save them now. */
  completeFiles(paths: readonly string[]): void {
    this.assertRecording();
    this.init.ledger.finish('completed', parseInput(filePathListSchema, paths, 'completeFiles'));
  }

  /** Files deliberately not indexed (binary, too large…). */
  skipFiles(paths: readonly string[]): void {
    this.assertRecording();
    this.init.ledger.finish('skipped', parseInput(filePathListSchema, paths, 'skipFiles'));
  }

  /**
   * Write a checkpoint now with everything reported so far. Returns true once it is
   * committed; false if it could not be written (reported through onWarning).
   */
  flush(): boolean {
    this.assertRecording();
    return this.persist(true);
  }

  finish(input: FinishInput = {}): void {
    this.assertRecording();
    const outcome = parseInput(finishInputSchema, input, 'finish');
    this.end('completed', null, {
      filesChanged: outcome.filesChanged ?? null,
      filesIndexed: outcome.filesIndexed ?? this.init.ledger.counts().completed,
      bytesProcessed: outcome.bytesProcessed ?? null,
    });
  }

  /** The sync failed. Its checkpoint is kept, so it can be resumed. */
  fail(error: FailureInput): void {
    this.assertRecording();
    this.end('failed', toFailureRecord(error, this.latest.phase, this.wallNow()));
  }

  /** The sync was cancelled. Its checkpoint is kept, so it can be resumed. */
  cancel(reason?: string): void {
    this.assertRecording();
    const text = parseInput(cancelReasonSchema, reason, 'cancel') ?? 'cancelled';
    this.end('cancelled', { phase: this.latest.phase, code: 'CANCELLED', message: text, at: this.wallNow() });
  }

  /**
   * Stop recording without ending the sync (the store is closing): save what is
   * unsaved and give up ownership, so the sync is at once offered for resume.
   */
  release(): void {
    if (this.state !== 'recording') return;
    if (this.dirty || this.init.ledger.hasUnsaved()) this.persist(true);
    try {
      this.context.repos.syncHistory.releaseOwner(this.jobId);
    } catch (error) {
      this.context.warn({ code: 'STORAGE', message: `release ${this.jobId}: ${(error as Error).message}`, error });
    }
    this.detach('detached');
  }

  /** Forget this recorder without writing (its start was rolled back). */
  abandon(): void {
    this.detach('detached');
  }

  private end(status: 'completed' | 'failed' | 'cancelled', error: SyncErrorRecord | null, counts?: {
    filesChanged: number | null;
    filesIndexed: number | null;
    bytesProcessed: number | null;
  }): void {
    const keepCheckpoint = status !== 'completed';
    if (keepCheckpoint && !this.persist(true)) {
      this.context.warn({ code: 'STORAGE', message: `${status} ${this.jobId}: the final checkpoint could not be saved; the previous one is kept` });
    }
    this.timer.stop();
    const resources = this.sampler.summary();
    const endTime = this.wallNow();
    const files = this.init.ledger.counts();
    try {
      this.writeOutcome(status, error, endTime, resources, counts?.filesChanged ?? null, counts?.filesIndexed ?? files.completed, counts?.bytesProcessed ?? null, keepCheckpoint);
    } catch (failure) {
      if (failure instanceof ConflictError) this.detach('detached');
      throw failure;
    }
    this.detach(status);
  }

  private writeOutcome(
    status: 'completed' | 'failed' | 'cancelled',
    error: SyncErrorRecord | null,
    endTime: number,
    resources: { peakMemoryBytes: number; meanCpuPercent: number },
    filesChanged: number | null,
    filesIndexed: number,
    bytesProcessed: number | null,
    keepCheckpoint: boolean,
  ): void {
    const { repos } = this.context;
    this.context.write(`${status} sync ${this.jobId}`, () => {
      repos.progressUpdates.insert(this.progressRow(endTime, null));
      const ok = repos.syncHistory.finish(this.jobId, {
        status,
        endTime,
        totalDuration: Math.max(0, Math.round(this.context.clock.monotonic() - this.startMono)),
        phaseDurations: this.timer.durations(),
        currentPhase: this.latest.phase,
        overallProgress: this.latest.percent,
        filesProcessed: this.latest.filesProcessed,
        totalFiles: this.latest.totalFiles,
        filesChanged,
        filesIndexed,
        bytesProcessed,
        errors: error ? [error] : null,
        ...resources,
      });
      if (!ok) throw new ConflictError(`sync ${this.jobId} is no longer running here (taken over by a resume)`);
      if (!keepCheckpoint) dropCheckpoint(repos, this.jobId);
    });
  }

  /** Write a progress row, or a checkpoint (with its progress row). Returns whether it committed. */
  private persist(checkpoint: boolean): boolean {
    const mono = this.context.clock.monotonic();
    try {
      if (checkpoint) this.writeCheckpoint();
      else this.writeProgress();
      this.dirty = false;
      this.lastWriteMono = mono;
      return true;
    } catch (error) {
      // Try again after a throttle interval, with whatever is latest by then.
      this.retryAtMono = mono + this.context.settings.throttleMs;
      if (error instanceof ConflictError) {
        this.context.warn({ code: 'OWNERSHIP_LOST', message: error.message, error });
        this.detach('detached');
        return false;
      }
      const code = error instanceof ProgressStoreError ? error.code : 'STORAGE';
      const what = checkpoint ? 'checkpoint' : 'progress';
      this.context.warn({
        code,
        message: `${what} of ${this.jobId} not saved (${(error as Error).message}); the latest state is kept and retried`,
        error,
      });
      return false;
    }
  }

  private writeProgress(): void {
    const { repos } = this.context;
    const at = this.wallNow();
    this.context.write(
      `progress ${this.jobId}`,
      () => {
        repos.progressUpdates.insert(this.progressRow(at, null));
        this.touchSync(at);
      },
      this.context.settings.recordLockTimeoutMs,
    );
  }

  private writeCheckpoint(): void {
    const { repos } = this.context;
    const at = this.wallNow();
    const seq = this.checkpointSeq + 1;
    const ledger = this.init.ledger;
    const counts = ledger.counts();
    const row: CheckpointRow = {
      jobId: this.jobId,
      lineageId: this.lineageId,
      seq,
      createdAt: this.init.checkpointCreatedAt,
      updatedAt: at,
      gitCommit: this.init.gitCommit,
      phase: this.latest.phase,
      phaseProgress: this.latest.phasePercent,
      overallProgress: this.latest.percent,
      phaseStartedAt: this.phaseStartedAt,
      filesCompleted: counts.completed,
      filesPending: counts.pending,
      filesSkipped: counts.skipped,
      metadata: {
        metrics: this.sampler.metrics(this.latest.rate),
        ...(this.callerCheckpointData ?? this.init.metadata ? { caller: this.callerCheckpointData ?? this.init.metadata } : {}),
      },
    };
    this.context.write(
      `checkpoint ${this.jobId}`,
      () => {
        for (const event of ledger.unsavedEvents()) {
          repos.checkpointFiles.append(this.lineageId, { ...event, jobId: this.jobId, checkpointSeq: seq });
        }
        repos.checkpoints.upsert(row);
        repos.syncHistory.recordPhaseDurations(this.jobId, this.timer.durations());
        repos.progressUpdates.insert(
          this.progressRow(at, { seq, filesCompleted: counts.completed, filesPending: counts.pending, filesSkipped: counts.skipped }),
        );
        this.touchSync(at);
      },
      this.context.settings.recordLockTimeoutMs,
    );
    ledger.markSaved();
    this.checkpointSeq = seq;
    this.checkpointBucket = Math.floor(this.latest.percent / CHECKPOINT_STEP);
    this.checkpointDue = false;
  }

  private touchSync(at: number): void {
    const ok = this.context.repos.syncHistory.updateProgress(this.jobId, {
      currentPhase: this.latest.phase,
      overallProgress: this.latest.percent,
      filesProcessed: this.latest.filesProcessed,
      totalFiles: this.latest.totalFiles,
      lastActivityAt: at,
      lastActivityMono: this.context.clock.monotonic(),
    });
    if (!ok) throw new ConflictError(`sync ${this.jobId} is no longer running here (taken over by a resume)`);
  }

  private progressRow(at: number, checkpointData: { seq: number; filesCompleted: number; filesPending: number; filesSkipped: number } | null) {
    return {
      jobId: this.jobId,
      timestamp: at,
      elapsedMs: Math.max(0, Math.round(this.context.clock.monotonic() - this.startMono)),
      phase: this.latest.phase,
      overallProgress: this.latest.percent,
      phaseProgress: this.latest.phasePercent,
      filesProcessed: this.latest.filesProcessed,
      totalFiles: this.latest.totalFiles,
      rate: this.latest.rate,
      checkpointData,
    };
  }

  /** Keep the heartbeat fresh while the caller is busy and not reporting. */
  private beat(): void {
    if (this.state !== 'recording' || this.context.isClosed) return;
    if (this.context.clock.monotonic() - this.lastWriteMono < this.context.settings.heartbeatIntervalMs) return;
    if (this.dirty || this.checkpointDue) {
      this.persist(this.checkpointDue);
      return;
    }
    try {
      if (!this.context.repos.syncHistory.heartbeat(this.jobId, this.wallNow(), this.context.clock.monotonic())) {
        this.context.warn({ code: 'OWNERSHIP_LOST', message: `sync ${this.jobId} was taken over by another process` });
        this.detach('detached');
      }
    } catch (error) {
      this.context.warn({ code: 'STORAGE', message: `heartbeat of ${this.jobId}: ${(error as Error).message}`, error });
    }
  }

  /**
   * Wall time for this sync's records: the start time plus monotonic time elapsed, so a
   * wall clock that jumps mid-sync never puts its records out of order.
   */
  private wallNow(): number {
    return this.init.startWall + Math.max(0, Math.round(this.context.clock.monotonic() - this.startMono));
  }

  private detach(state: RecorderState): void {
    this.state = state;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    ownership.release(this.jobId);
    this.context.activeRecorders.delete(this);
  }

  private assertRecording(): void {
    this.context.assertOpen();
    if (this.state !== 'recording') {
      throw new ConflictError(`sync ${this.jobId} is ${this.state}; it can no longer be recorded`);
    }
  }
}
