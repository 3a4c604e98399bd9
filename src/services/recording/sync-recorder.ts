import { wholeMs } from '../../clock';
import { ConflictError, ProgressStoreError, ValidationError } from '../../errors';
import type { OutcomeStatus, SyncStatus } from '../../schema/sync-status';
import type { PhaseDefinition, SyncErrorRecord } from '../../validation/json-columns';
import { parseInput } from '../../validation/parse';
import { ownership } from '../liveness';
import type { StoreContext } from '../store-context';
import { filePathListSchema } from '../../validation/file-paths';
import { type FileCounts, type FileLedger, pathList } from './file-ledger';
import { PhaseTimer } from './phase-timer';
import { ProcessSampler } from './process-sampler';
import { toFailureRecord } from './failure-record';
import { type RecorderSnapshot, writeCheckpoint, writeOutcome, writeProgress } from './recorder-writes';
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
 * it never throws into the caller's sync loop. Only bad values throw: a recording call
 * after the end (or after the store closed) is ignored, and progress or a phase that
 * goes back keeps the higher value, each with one warning per sync.
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
  /** What has been warned about already: each is said once per sync, not once per call. */
  private readonly warned = { notRecording: false, percentBack: false, phaseBack: false };
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
    const reported = parseInput(progressUpdateSchema, input, 'update');
    const reportedIndex = this.phases.findIndex((p) => p.name === reported.phase);
    if (reportedIndex < 0) {
      throw new ValidationError([{ path: 'phase', message: `unknown phase ${JSON.stringify(reported.phase)}` }], 'update');
    }
    if (!this.stillRecording('update')) return;
    const { next, index } = this.neverBackwards(reported, reportedIndex);
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
    const list = pathList(paths, 'planFiles');
    if (!this.stillRecording('planFiles')) return void parseInput(filePathListSchema, list, 'planFiles');
    this.init.ledger.plan(list);
  }

  /** Files indexed. Saved with the next checkpoint; call flush() to save them now. */
  completeFiles(paths: readonly string[]): void {
    const list = pathList(paths, 'completeFiles');
    if (!this.stillRecording('completeFiles')) return void parseInput(filePathListSchema, list, 'completeFiles');
    this.init.ledger.finish('completed', list);
  }

  /** Files deliberately not indexed (binary, too large…). */
  skipFiles(paths: readonly string[]): void {
    const list = pathList(paths, 'skipFiles');
    if (!this.stillRecording('skipFiles')) return void parseInput(filePathListSchema, list, 'skipFiles');
    this.init.ledger.finish('skipped', list);
  }

  /**
   * Write a checkpoint now with everything reported so far. Returns true once it is
   * committed; false if it could not be written (reported through onWarning), or if the
   * sync has ended or the store is closed.
   */
  flush(): boolean {
    if (!this.stillRecording('flush')) return false;
    return this.persist(true);
  }

  /** The sync completed: its checkpoint goes. Again after it completed, nothing happens. */
  finish(input: FinishInput = {}): void {
    const outcome = parseInput(finishInputSchema, input, 'finish');
    if (this.endedAlready('completed')) return;
    this.end('completed', null, {
      filesChanged: outcome.filesChanged ?? null,
      filesIndexed: outcome.filesIndexed ?? this.init.ledger.counts().completed,
      bytesProcessed: outcome.bytesProcessed ?? null,
    });
  }

  /** The sync failed. Its checkpoint is kept, so it can be resumed. Again after it failed, nothing happens. */
  fail(error: FailureInput): void {
    const failure = toFailureRecord(error, this.latest.phase, this.wallNow());
    if (this.endedAlready('failed')) return;
    this.end('failed', failure);
  }

  /** The sync was cancelled. Its checkpoint is kept, so it can be resumed. Again after it was cancelled, nothing happens. */
  cancel(reason?: string): void {
    const text = parseInput(cancelReasonSchema, reason, 'cancel') ?? 'cancelled';
    if (this.endedAlready('cancelled')) return;
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

  private end(status: OutcomeStatus, error: SyncErrorRecord | null, counts?: {
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
    const files = this.init.ledger.counts();
    try {
      writeOutcome(this.context, this.snapshot(), {
        status,
        error,
        resources,
        filesChanged: counts?.filesChanged ?? null,
        filesIndexed: counts?.filesIndexed ?? files.completed,
        bytesProcessed: counts?.bytesProcessed ?? null,
        keepCheckpoint,
      });
    } catch (failure) {
      if (failure instanceof ConflictError) this.detach('detached');
      throw failure;
    }
    this.detach(status);
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
    writeProgress(this.context, this.snapshot());
  }

  private writeCheckpoint(): void {
    const { repos } = this.context;
    const seq = this.checkpointSeq + 1;
    const ledger = this.init.ledger;
    const counts = ledger.counts();
    const metadata = {
      metrics: this.sampler.metrics(this.latest.rate),
      ...(this.callerCheckpointData ?? this.init.metadata ? { caller: this.callerCheckpointData ?? this.init.metadata } : {}),
    };
    writeCheckpoint(this.context, this.snapshot(), { seq, counts, metadata }, () => {
      for (const event of ledger.unsavedEvents()) {
        repos.checkpointFiles.append(this.lineageId, this.jobId, seq, event);
      }
    });
    ledger.markSaved();
    this.checkpointSeq = seq;
    this.checkpointBucket = Math.floor(this.latest.percent / CHECKPOINT_STEP);
    this.checkpointDue = false;
  }

  /** The recorder's state now, for a write. */
  private snapshot(): RecorderSnapshot {
    const mono = this.context.clock.monotonic();
    const elapsedMs = wholeMs(mono - this.startMono);
    return {
      jobId: this.jobId,
      lineageId: this.lineageId,
      at: this.init.startWall + elapsedMs,
      elapsedMs,
      mono,
      progress: this.latest,
      phaseStartedAt: this.phaseStartedAt,
      phaseDurations: this.timer.durations(),
      gitCommit: this.init.gitCommit,
      checkpointCreatedAt: this.init.checkpointCreatedAt,
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
    return this.init.startWall + wholeMs(this.context.clock.monotonic() - this.startMono);
  }

  private detach(state: RecorderState): void {
    this.state = state;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    ownership.release(this.jobId);
    this.context.activeRecorders.delete(this);
  }

  /**
   * Whether a recording call (update, files, flush) still records. After the sync ended,
   * was taken over or the store closed, it is ignored: a late progress callback or a
   * SIGINT handler that closed the store must not crash the caller's loop. Said once.
   */
  private stillRecording(call: string): boolean {
    if (this.state === 'recording' && !this.context.isClosed) return true;
    if (!this.warned.notRecording) {
      this.warned.notRecording = true;
      const why = this.context.isClosed
        ? 'the store is closed'
        : this.state === 'detached'
          ? 'the sync is no longer recorded here (another process resumed it)'
          : `the sync has ended (${this.state})`;
      this.context.warn({
        code: 'NOT_RECORDING',
        message: `sync ${this.jobId}: ${call}() ignored: ${why}; later recording calls are ignored without a warning`,
      });
    }
    return false;
  }

  /**
   * Stored progress never goes down: a percent below the last one (a caller that recounted
   * its total) keeps the last one, and an earlier phase keeps the current phase and its
   * phase percent. Each is said once per sync.
   */
  private neverBackwards(reported: ProgressUpdate, reportedIndex: number): { next: ProgressUpdate; index: number } {
    let next = reported;
    let index = reportedIndex;
    if (index < this.phaseIndex) {
      this.warnBackwards('phaseBack', `phase went back from ${JSON.stringify(this.latest.phase)} to ${JSON.stringify(reported.phase)}; kept ${JSON.stringify(this.latest.phase)}`);
      next = { ...next, phase: this.latest.phase, phasePercent: this.latest.phasePercent };
      index = this.phaseIndex;
    }
    if (next.percent < this.latest.percent) {
      this.warnBackwards('percentBack', `percent went back from ${this.latest.percent} to ${reported.percent}; kept ${this.latest.percent}`);
      next = { ...next, percent: this.latest.percent };
    }
    return { next, index };
  }

  private warnBackwards(which: 'percentBack' | 'phaseBack', what: string): void {
    if (this.warned[which]) return;
    this.warned[which] = true;
    this.context.warn({ code: 'WENT_BACKWARDS', message: `sync ${this.jobId}: ${what} (said once per sync)` });
  }

  /**
   * For finish/fail/cancel: true when the sync already ended this way (the call is a
   * no-op); a different end, or a sync no longer recorded here, is a conflict the caller
   * must know about.
   */
  private endedAlready(end: OutcomeStatus): boolean {
    if (this.state === end) return true;
    this.context.assertOpen();
    if (this.state === 'recording') return false;
    const now = this.state === 'detached' ? 'no longer recorded here (another process resumed it)' : this.state;
    throw new ConflictError(`sync ${this.jobId} is ${now}; it cannot be ${end} now`);
  }
}
