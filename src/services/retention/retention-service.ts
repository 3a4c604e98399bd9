import { parseInput } from '../../validation/parse';
import type { StoreContext } from '../store-context';
import { archiveDirFor, pruneArchive } from './archive';
import { expireCheckpoints } from './checkpoint-expiry';
import { archiveSyncs } from './history-archiver';
import { removeDamagedRows } from '../damaged-rows';
import { type MaintenanceOptions, maintenanceOptionsSchema, type MaintenanceReport } from './maintenance-report';
import { MaintenanceRun } from './maintenance-run';
import { reclaimSpace } from './reclaim-space';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy, retentionPolicy } from './retention-policy';
import { enforceBudget } from './size-budget';
import { measureSpace, mergeWal, sizeOf } from './space';
import { compactTrails } from './trail-compaction';

type Trigger = MaintenanceReport['trigger'];

/**
 * Keeps a project file small with nobody looking after it (`store.retention`). See
 * retention-policy.ts for the numbers and the README for the policy in words. Every
 * step works in batches, each its own short write transaction, so a sync recording in
 * another process waits milliseconds at most; only a full VACUUM (monthly at most, never
 * while a sync runs) holds the lock for longer.
 */
export class RetentionService {
  readonly policy: RetentionPolicy;
  /** Set while a run is in progress: a disk-full write inside maintenance must not start another. */
  private running = false;

  constructor(
    private readonly context: StoreContext,
    options: { maxDatabaseBytes?: number } = {},
  ) {
    this.policy = retentionPolicy({ maxDatabaseBytes: options.maxDatabaseBytes ?? DEFAULT_RETENTION_POLICY.maxDatabaseBytes });
    context.recoverSpace = () => this.recoverSpace();
  }

  /** Where old syncs are archived: `{dir}/{projectId}.archive/`, one `YYYY-MM.jsonl.gz` per month. */
  get archiveDir(): string {
    return archiveDirFor(this.context.connection.path, this.context.projectId);
  }

  /** Run maintenance now. With `dryRun`, report what would be done and change nothing. */
  runMaintenance(options?: MaintenanceOptions): MaintenanceReport {
    this.context.assertOpen();
    const { dryRun = false } = parseInput(maintenanceOptionsSchema, options, 'runMaintenance') ?? {};
    return this.run('manual', dryRun);
  }

  /**
   * Run maintenance if the last run (recorded in the file, so it holds across processes)
   * is more than a day old. Claiming the run and recording it is one transaction, so
   * two processes opening the file together do not both run it. Returns null when not due.
   */
  runIfDue(): MaintenanceReport | null {
    this.context.assertOpen();
    const { repos, clock } = this.context;
    const now = clock.now();
    const claimed = this.context.write(
      'claim maintenance',
      () => {
        const last = repos.storeMeta.get('last_maintenance_at');
        // A last run in the future means the wall clock went back: run, and record the present.
        if (last !== null && last <= now && now - last <= this.policy.maintenanceIntervalMs) return false;
        repos.storeMeta.set('last_maintenance_at', now);
        return true;
      },
      this.context.settings.recordLockTimeoutMs,
    );
    return claimed ? this.run('open', false, { claimed: true }) : null;
  }

  /**
   * The StoreContext hook for a write that found the disk full: maintenance under
   * pressure (prune until a tenth of the used space is free, whatever the budget), once.
   * Returns the bytes freed for the retry. Never throws: a failure here must not hide
   * the original error.
   */
  private recoverSpace(): number {
    const { connection } = this.context;
    if (this.running || connection.sqlite.inTransaction || this.context.isClosed) return 0;
    try {
      const before = measureSpace(connection).usedBytes;
      this.run('disk-full', false);
      return Math.max(0, before - measureSpace(connection).usedBytes);
    } catch (error) {
      this.context.warn({ code: 'STORAGE_FULL', message: `maintenance on a full disk failed: ${(error as Error).message}`, error });
      return 0;
    }
  }

  private run(trigger: Trigger, dryRun: boolean, options: { claimed?: boolean } = {}): MaintenanceReport {
    this.running = true;
    try {
      return this.steps(new MaintenanceRun(this.context, this.policy, dryRun, this.archiveDir), trigger, options.claimed === true);
    } finally {
      this.running = false;
    }
  }

  /** Damaged rows would stop the steps below for good (they read whole rows): they go first, a sync's row archived. */
  private removeDamagedRows(): void {
    const { removed, archived } = removeDamagedRows(this.context);
    if (removed.length === 0) return;
    const which = removed.slice(0, 5).map((d) => `${d.table} ${d.key} (${d.column})`).join(', ');
    this.context.warn({
      code: 'CORRUPT',
      message: `maintenance removed ${removed.length} damaged row(s)${archived ? `, ${archived} sync(s) archived first` : ''}: ${which}`,
    });
  }

  private steps(run: MaintenanceRun, trigger: Trigger, claimed: boolean): MaintenanceReport {
    const { policy, now } = run;
    const pressure = trigger === 'disk-full';
    if (!run.dryRun && !claimed) run.write('record maintenance', () => run.repos.storeMeta.set('last_maintenance_at', now));
    if (!run.dryRun) this.removeDamagedRows();
    expireCheckpoints(run, now - policy.checkpointMaxAgeMs, { countKept: true });
    archiveSyncs(run, now - policy.historyMaxAgeMs);
    compactTrails(run, now - policy.trailCompactionDelayMs);
    const budget = enforceBudget(run, pressure);
    const filesDeleted = pruneArchive(this.archiveDir, now, policy.archiveMonths, run.dryRun);
    const vacuum = reclaimSpace(run, pressure);
    if (!run.dryRun) mergeWal(this.context.connection.sqlite);
    return {
      dryRun: run.dryRun,
      trigger,
      startedAt: now,
      durationMs: run.elapsedMs(),
      transactions: run.transactions,
      longestTransactionMs: run.longestTransactionMs,
      removed: run.removed,
      syncsInterrupted: run.syncsInterrupted,
      checkpointsKept: run.checkpointsKept,
      archive: {
        dir: this.archiveDir,
        filesWritten: [...run.archive.filesWritten].sort(),
        rows: run.archive.rows,
        bytesWritten: run.archive.bytesWritten,
        filesDeleted,
      },
      budget,
      vacuum,
      size: { before: sizeOf(run.before), after: run.dryRun ? sizeOf(run.before) : sizeOf(measureSpace(this.context.connection)) },
    };
  }
}
