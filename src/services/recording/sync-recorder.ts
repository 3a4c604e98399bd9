/** The public SyncRecorder: its API, its state machine and when it writes (see the class). */
import { wholeMs } from '../../clock';
import { ConflictError } from '../../errors';
import type { OutcomeStatus } from '../../schema/sync-status';
import type { SyncErrorRecord } from '../../validation/json-columns';
import { parseInput } from '../../validation/parse';
import { ownership } from '../liveness';
import type { StoreContext } from '../store-context';
import { filePathListSchema } from '../../validation/file-paths';
import type { FileCounts } from './file-counts';
import { PhaseTimer } from './phase-timer';
import { ProcessSampler } from './process-sampler';
import { toFailureRecord } from './failure-record';
import { RecorderPersistence } from './recorder-persistence';
import { type SyncOutcome, writeOutcome } from './recorder-writes';
import type { RecorderInit, RecorderState } from './recorder-init';
import { RecorderNotices } from './recorder-notices';
import { ReportedProgress } from './reported-progress';
import {
  cancelReasonSchema,
  type FailureInput,
  type FinishInput,
  finishInputSchema,
  pathList,
  type ProgressUpdate,
} from './recording-input';
import { parseProgressUpdate } from './progress-update-parse';

// Re-exported: the package's public types name RecorderState from here.
export type { RecorderState } from './recorder-init';

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
  private readonly timer: PhaseTimer;
  private readonly sampler: ProcessSampler;
  private readonly startMono: number;
  private readonly progress: ReportedProgress;
  private readonly writes: RecorderPersistence;
  private state: RecorderState = 'recording';
  private readonly notices: RecorderNotices;
  private heartbeat: NodeJS.Timeout | null = null;

  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(
    private readonly context: StoreContext,
    private readonly init: RecorderInit,
  ) {
    this.jobId = init.jobId;
    this.lineageId = init.lineageId;
    const { clock } = context;
    this.startMono = clock.monotonic();
    this.timer = new PhaseTimer(() => clock.monotonic());
    this.sampler = new ProcessSampler(context.settings.probe, () => clock.monotonic());
    this.notices = new RecorderNotices(context, init.jobId);
    this.progress = new ReportedProgress(init.phases, this.timer, init, (which, what) =>
      this.notices.wentBack(which, what),
    );
    this.writes = new RecorderPersistence(context, init, {
      timer: this.timer,
      sampler: this.sampler,
      progress: this.progress,
      notices: this.notices,
      startMono: this.startMono,
      onLost: () => this.detach('detached'),
    });
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
    const reported = parseProgressUpdate(input);
    const reportedIndex = this.progress.indexOf(reported);
    if (!this.stillRecording('update')) return;
    this.progress.accept(reported, reportedIndex, this.wallNow());
    const mono = this.context.clock.monotonic();
    if (mono < this.writes.retryAtMono) return;
    if (this.progress.checkpointDue) this.persist(true);
    else if (mono - this.writes.lastWriteMono >= this.context.settings.throttleMs) this.persist(false);
  }

  /** Add files to the work list (after change detection, say). */
  planFiles(paths: readonly string[]): void {
    const list = this.filesCall('planFiles', paths);
    if (list) this.init.ledger.plan(list);
  }

  /** Files indexed. Saved with the next checkpoint; call flush() to save them now. */
  completeFiles(paths: readonly string[]): void {
    const list = this.filesCall('completeFiles', paths);
    if (list) this.notices.repeated('completeFiles', this.init.ledger.finish('completed', list));
  }

  /** Files deliberately not indexed (binary, too large…). */
  skipFiles(paths: readonly string[]): void {
    const list = this.filesCall('skipFiles', paths);
    if (list) this.notices.repeated('skipFiles', this.init.ledger.finish('skipped', list));
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
    const failure = toFailureRecord(error, this.progress.latest.phase, this.wallNow());
    if (this.endedAlready('failed')) return;
    this.end('failed', failure);
  }

  /** The sync was cancelled. Its checkpoint is kept, so it can be resumed. Again after it was cancelled, nothing happens. */
  cancel(reason?: string): void {
    const text = parseInput(cancelReasonSchema, reason, 'cancel') ?? 'cancelled';
    if (this.endedAlready('cancelled')) return;
    this.end('cancelled', {
      phase: this.progress.latest.phase,
      code: 'CANCELLED',
      message: text,
      at: this.wallNow(),
    });
  }

  /**
   * Stop recording without ending the sync (the store is closing): save what is
   * unsaved and give up ownership, so the sync is at once offered for resume.
   */
  release(): void {
    if (this.state !== 'recording') return;
    if (this.progress.dirty || this.init.ledger.hasUnsaved()) this.persist(true);
    try {
      this.context.repos.syncHistory.releaseOwner(this.jobId);
    } catch (error) {
      this.notices.storage(`release ${this.jobId}`, error);
    }
    this.detach('detached');
  }

  /** Forget this recorder without writing (its start was rolled back). */
  abandon(): void {
    this.detach('detached');
  }

  private end(
    status: OutcomeStatus,
    error: SyncErrorRecord | null,
    counts?: Pick<SyncOutcome, 'filesChanged' | 'filesIndexed' | 'bytesProcessed'>,
  ): void {
    const keepCheckpoint = status !== 'completed';
    if (keepCheckpoint && !this.persist(true))
      this.notices.storage(
        `${status} ${this.jobId}: the final checkpoint could not be saved; the previous one is kept`,
      );
    this.timer.stop();
    const resources = this.sampler.summary();
    const files = this.init.ledger.counts();
    try {
      writeOutcome(this.context, this.writes.snapshot(), {
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

  private persist(checkpoint: boolean): boolean {
    return this.writes.persist(checkpoint);
  }

  /** Keep the heartbeat fresh while the caller is busy and not reporting. */
  private beat(): void {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: detach() clears this interval, and closing the store detaches every recorder; kept so a timer that ever outlives them cannot write to a closed file from a timer callback
    if (this.state !== 'recording' || this.context.isClosed) return;
    if (
      this.context.clock.monotonic() - this.writes.lastWriteMono <
      this.context.settings.heartbeatIntervalMs
    )
      return;
    if (this.progress.dirty || this.progress.checkpointDue)
      return void this.persist(this.progress.checkpointDue);
    try {
      if (
        !this.context.repos.syncHistory.heartbeat(this.jobId, this.wallNow(), this.context.clock.monotonic())
      ) {
        this.notices.ownershipLost();
        this.detach('detached');
      }
    } catch (error) {
      this.notices.storage(`heartbeat of ${this.jobId}`, error);
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
    this.notices.notRecording(call, this.state);
    return false;
  }

  /** The paths of a file call while it still records; after that, only checked (bad paths still throw). */
  private filesCall(call: string, paths: readonly string[]): readonly unknown[] | null {
    const list = pathList(paths, call);
    if (this.stillRecording(call)) return list;
    parseInput(filePathListSchema, list, call);
    return null;
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
    const now =
      this.state === 'detached' ? 'no longer recorded here (another process resumed it)' : this.state;
    throw new ConflictError(`sync ${this.jobId} is ${now}; it cannot be ${end} now`);
  }
}
