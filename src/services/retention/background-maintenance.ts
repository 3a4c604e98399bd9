import { isInTransaction } from '../../db/connection';
import { type UpkeepScheduler, type UpkeepTask, upkeepScheduler } from '../../db/upkeep-scheduler';
import { DatabaseLockedError, ProgressStoreError } from '../../errors';
import type { StoreContext } from '../store-context';
import type { MaintenanceReport } from './maintenance-report';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';

/**
 * Daily maintenance done by the store itself, in slices between the caller's calls, never
 * inside one: opening a store does no maintenance at all (a neglected 750 MB file took
 * 13–15 s inside openProgressStore before), and a recorder in this process never waits on
 * more than one slice.
 *
 * A slice runs on the process's shared upkeep scheduler (one unref'd timer for every
 * store; see db/upkeep-scheduler.ts). The first one, `startDelayMs` after open, begins a
 * run if one is due (store_meta `last_maintenance_at`, written only when a run finishes;
 * the maintenance lease keeps two processes' runs apart); each slice then advances the run's steps until it has made one write transaction
 * (a batch sized to hold the lock ~5 ms, see batch-sizer.ts) or spent `sliceMs`, and the
 * next slice comes after a pause at least as long as the slice (leaving the lock to
 * another process's writer and the event loop to the caller). A slice never runs while
 * the connection is inside a transaction. A failure is reported through onWarning, never
 * thrown. Once done (or not due), the next look is a maintenance interval later, so a
 * store kept open for days is still maintained daily.
 */
export interface BackgroundMaintenanceOptions {
  /** Delay after open before the first slice (the caller's start-up goes first). */
  startDelayMs?: number;
  /** A slice stops after its first write transaction or once it has taken this long. */
  sliceMs?: number;
  /** Least pause between two slices. */
  gapMs?: number;
  /** Bound on waiting for another process's write lock inside a slice (the event loop waits too). */
  lockTimeoutMs?: number;
  scheduler?: UpkeepScheduler;
}

/** What the background runner needs of the retention service. */
export interface MaintenanceHost {
  /** Null when a run is due (the last finished one is a day old), else ms until it is. */
  dueIn(): number | null;
  /** A run's steps (trigger `open`). */
  begin(): { run: MaintenanceRun; steps: MaintenanceSteps<MaintenanceReport> };
  /** Run `work` marked as maintenance in progress (a full disk meanwhile does not start another). */
  active<T>(work: () => T): T;
  readonly intervalMs: number;
}

import type { BackgroundState } from './maintenance-report';

export type { BackgroundState };

const DEFAULTS = { startDelayMs: 1_000, sliceMs: 10, gapMs: 10, lockTimeoutMs: 50 };
/** A slice that found the connection inside a transaction looks again this soon. */
const RETRY_MS = 50;
/** A slice that found another process holding the write lock past its bound: again this soon. */
const LOCKED_RETRY_MS = 1_000;
/** A run skipped because another process's run held the lease: look again this soon. */
const SKIPPED_RETRY_MS = 60_000;

export class BackgroundMaintenance implements UpkeepTask {
  private job: { run: MaintenanceRun; steps: MaintenanceSteps<MaintenanceReport> } | null = null;
  private started = false;
  /** A slice has looked at the file at least once (whatever it found). */
  private looked = false;
  /** A run was found due (it may still have to begin, after a lock timeout). */
  private due = false;
  private readonly options: typeof DEFAULTS;
  private readonly scheduler: UpkeepScheduler;
  /** The report of the last run this store finished by itself (null: none yet). */
  lastReport: MaintenanceReport | null = null;

  constructor(
    private readonly context: StoreContext,
    private readonly host: MaintenanceHost,
    options: BackgroundMaintenanceOptions = {},
  ) {
    this.scheduler = options.scheduler ?? upkeepScheduler;
    this.options = {
      startDelayMs: options.startDelayMs ?? DEFAULTS.startDelayMs,
      sliceMs: options.sliceMs ?? DEFAULTS.sliceMs,
      gapMs: options.gapMs ?? DEFAULTS.gapMs,
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs,
    };
  }

  get state(): BackgroundState {
    if (!this.started) return 'off';
    if (this.job || this.due) return 'running';
    return this.looked ? 'idle' : 'waiting';
  }

  start(): void {
    this.started = true;
    this.scheduler.schedule(this, this.options.startDelayMs);
  }

  /** Stop: no slice runs after this; a run in progress is abandoned between two batches. */
  stop(): void {
    this.scheduler.cancel(this);
    this.abandon();
  }

  /** Drop the run in progress: runMaintenance takes over (or the store closes). */
  abandon(): void {
    if (this.job) this.looked = true;
    this.due = false;
    this.dropJob();
  }

  private dropJob(): void {
    const job = this.job;
    this.job = null;
    job?.steps.return(undefined as never);
  }

  /** One slice (called by the scheduler): returns the delay before the next. */
  run(): number | null {
    const { context } = this;
    if (context.isClosed) return null;
    // Never inside a caller's transaction: its statements and ours would commit together.
    if (isInTransaction(context.connection)) return RETRY_MS;
    return this.host.active(() => this.slice());
  }

  private slice(): number {
    const { clock } = this.context;
    const { sliceMs, gapMs, lockTimeoutMs } = this.options;
    const started = clock.monotonic();
    this.looked = true;
    try {
      if (!this.job) {
        if (!this.due) {
          const dueIn = this.host.dueIn();
          if (dueIn !== null) return dueIn + 1;
          this.due = true;
        }
        const job = this.host.begin();
        job.run.pace = false;
        job.run.inSlices = true;
        job.run.slices = 0;
        job.run.lockTimeoutMs = lockTimeoutMs;
        this.job = job;
      }
      const { run, steps } = this.job;
      run.slices += 1;
      run.sliceStartedAt = started;
      const writes = run.transactions;
      for (;;) {
        const step = steps.next();
        if (step.done) {
          this.job = null;
          this.due = false;
          const { skipped } = step.value;
          // Another process finished a run since this one was found due: nothing ran here.
          if (skipped?.reason === 'not-due') {
            return skipped.lastMaintenanceAt + this.host.intervalMs - clock.now() + 1;
          }
          this.lastReport = step.value;
          // Another process's run held the lease: if it fails, it records nothing, so look again soon.
          return skipped ? SKIPPED_RETRY_MS : this.host.intervalMs;
        }
        if (run.transactions !== writes || clock.monotonic() - started >= sliceMs) break;
      }
      const took = clock.monotonic() - started;
      run.longestSliceMs = Math.max(run.longestSliceMs, took);
      return Math.max(gapMs, took);
    } catch (error) {
      this.dropJob();
      // Another process held the lock past the slice's short bound: not a failure. The
      // run starts again soon from where the file stands (what was done stays done).
      if (error instanceof DatabaseLockedError) return LOCKED_RETRY_MS;
      this.due = false;
      this.context.warn({
        code: error instanceof ProgressStoreError ? error.code : 'STORAGE',
        message: `background maintenance failed: ${(error as Error).message}`,
        error,
      });
      return this.host.intervalMs;
    }
  }
}
