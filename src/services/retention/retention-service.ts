import { isInTransaction } from '../../db/connection';
import { parseInput } from '../../validation/parse';
import type { StoreContext } from '../store-context';
import { archiveDirFor } from './archive';
import { BackgroundMaintenance, type BackgroundMaintenanceOptions } from './background-maintenance';
import {
  type BackgroundState,
  type MaintenanceOptions,
  maintenanceOptionsSchema,
  type MaintenanceReport,
} from './maintenance-report';
import { MaintenanceRun, type MaintenanceSteps } from './maintenance-run';
import { MaintenanceLease } from './maintenance-lease';
import { drain, leasedMaintenanceSteps, type MaintenanceTrigger } from './maintenance-steps';
import {
  DEFAULT_RETENTION_POLICY,
  maintenanceDueIn,
  type RetentionPolicy,
  retentionPolicy,
} from './retention-policy';
import { measureSpace } from './space';

/**
 * Keeps a project file small with nobody looking after it (`store.retention`). See
 * retention-policy.ts for the numbers and the README for the policy in words. Every
 * step works in batches, each its own short write transaction sized to hold the lock
 * ~5 ms, so a sync recording in another process waits milliseconds at most; only a full
 * VACUUM (monthly at most, never while a sync runs) holds the lock for longer, and the
 * report says how long. The store runs it daily by itself, in slices between the
 * caller's calls (background-maintenance.ts), never inside openProgressStore.
 */
export class RetentionService {
  readonly policy: RetentionPolicy;
  /** Set while a run is in progress: a disk-full write inside maintenance must not start another. */
  private running = false;
  private readonly background: BackgroundMaintenance;

  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(
    private readonly context: StoreContext,
    options: { maxDatabaseBytes?: number; background?: BackgroundMaintenanceOptions } = {},
  ) {
    this.policy = retentionPolicy({
      maxDatabaseBytes: options.maxDatabaseBytes ?? DEFAULT_RETENTION_POLICY.maxDatabaseBytes,
    });
    this.background = new BackgroundMaintenance(
      context,
      {
        dueIn: () => this.dueIn(),
        begin: () => this.begin('open', false),
        active: (work) => this.active(work),
        intervalMs: this.policy.maintenanceIntervalMs,
      },
      options.background,
    );
  }

  /** Where old syncs are archived: `{dir}/{projectId}.archive/`, a `YYYY-MM/` folder of batch files per month (see archive.ts). */
  get archiveDir(): string {
    return archiveDirFor(this.context.connection.path, this.context.projectId);
  }

  /**
   * The store's own daily maintenance: `off` (autoMaintenance: false), `waiting` for its
   * first slice, `running` in slices, or `idle` until the next is due; `lastReport` is
   * the report of the last run it finished (null until then).
   */
  get upkeep(): { state: BackgroundState; lastReport: MaintenanceReport | null } {
    return { state: this.background.state, lastReport: this.background.lastReport };
  }

  /**
   * Run maintenance now, in one go. With `dryRun`, report what would be done and change
   * nothing. A background run in progress is dropped (between two batches): this one does
   * all that was left.
   */
  runMaintenance(options?: MaintenanceOptions): MaintenanceReport {
    this.context.assertOpen();
    const { dryRun = false } = parseInput(maintenanceOptionsSchema, options, 'runMaintenance') ?? {};
    if (!dryRun) this.background.abandon();
    return this.active(() => drain(this.begin('manual', dryRun).steps));
  }

  /**
   * Run maintenance in one go if the last run (recorded in the file, so it holds across
   * processes) is more than a day old. Returns null when not due. The store itself does
   * this in slices instead (startBackground).
   */
  runIfDue(): MaintenanceReport | null {
    this.context.assertOpen();
    return this.dueIn() === null ? this.active(() => drain(this.begin('open', false).steps)) : null;
  }

  /** Start the daily maintenance in slices (openProgressStore does, unless autoMaintenance is false). */
  startBackground(): void {
    this.background.start();
  }

  /** Stop the slices (the store is closing). */
  stopBackground(): void {
    this.background.stop();
  }

  /**
   * Is a run due: is the last one that finished (recorded in the file, so it holds across
   * processes) more than a day old? Returns null when due, else the ms until it is. Only a
   * finished run is recorded (maintenance-steps.ts); two processes finding it due together
   * are kept apart by the maintenance lease (the second one's run reports `skipped`).
   */
  private dueIn(): number | null {
    this.context.assertOpen();
    const { repos, clock } = this.context;
    const last = this.context.read('is maintenance due', () => repos.storeMeta.get('last_maintenance_at'));
    return maintenanceDueIn(last, clock.now(), this.policy.maintenanceIntervalMs);
  }

  /**
   * @internal What StoreContext runs for a write that found the disk full (store.ts wires
   * it): maintenance under pressure (prune until a tenth of the used space is free,
   * whatever the budget), once. Returns the bytes freed for the retry. Never throws: a
   * failure here must not hide the original error.
   */
  recoverSpace(): number {
    const { connection, repos } = this.context;
    if (this.running || isInTransaction(connection) || this.context.isClosed) return 0;
    try {
      const before = measureSpace(repos.storeFile).usedBytes;
      this.active(() => drain(this.begin('disk-full', false).steps));
      return Math.max(0, before - measureSpace(repos.storeFile).usedBytes);
    } catch (error) {
      this.context.warn({
        code: 'STORAGE_FULL',
        message: `maintenance on a full disk failed: ${(error as Error).message}`,
        error,
      });
      return 0;
    }
  }

  /**
   * A new run and its steps: the one entry point every run goes through (see
   * maintenance-steps.ts). A run that changes things holds the maintenance lease for all
   * its slices; asked for by hand it waits up to `lockTimeoutMs` for another process's run
   * to end, otherwise (in the background, on a full disk) it does not wait.
   */
  private begin(
    trigger: MaintenanceTrigger,
    dryRun: boolean,
  ): { run: MaintenanceRun; steps: MaintenanceSteps<MaintenanceReport> } {
    const lease = dryRun ? null : new MaintenanceLease(this.context);
    const run = new MaintenanceRun(this.context, this.policy, dryRun, this.archiveDir, lease);
    const waitMs = trigger === 'manual' ? this.context.settings.lockTimeoutMs : 0;
    return { run, steps: leasedMaintenanceSteps(run, trigger, waitMs) };
  }

  private active<T>(work: () => T): T {
    this.running = true;
    try {
      return work();
    } finally {
      this.running = false;
    }
  }
}
