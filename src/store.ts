import { z } from 'zod';
import { type Clock, systemClock } from './clock';
import { resolveStoreLocation } from './config/store-paths';
import { closeConnection, type Connection } from './db/connection';
import { openReadOnlyConnection } from './db/open-read-only';
import { openStoreDatabase } from './db/open-store-database';
import { WalMerges } from './db/wal-merges';
import { createRepositories } from './repositories';
import type { RepairResult } from './services/damaged-row';
import { removeDamagedRows } from './services/damaged-rows';
import { repairFigures } from './services/sync-figures-repair';
import { processProbe, type ResourceProbe } from './services/recording/process-sampler';
import { MetricsService } from './services/metrics/metrics-service';
import { RecordingService } from './services/recording/recording-service';
import { type ResumeEstimator, ResumeService } from './services/resume/resume-service';
import { maxDatabaseBytesSchema } from './services/retention/retention-policy';
import { RetentionService } from './services/retention/retention-service';
import { StatusService } from './services/status-service';
import { StoreContext, type StoreSettings } from './services/store-context';
import type { StoreWarning } from './services/store-warning';
import { parseInput } from './validation/parse';

export interface ProgressStoreOptions {
  /** Names the file: `{dir}/{projectId}.db`. Letters, digits, `.`, `_`, `-`; at most 128; not a Windows device name (see config/project-id). */
  projectId: string;
  /**
   * Folder of the project files; default `$CIDX_HOME/progress`, else `~/.cidx/progress`.
   * `~` is expanded, and a relative folder is resolved against the working folder once, at
   * open: changing folder later does not move the store. Control characters are refused.
   */
  dir?: string;
  clock?: Clock;
  /** Told about problems the store handled without throwing (a write retried later, a damaged file replaced). */
  onWarning?: (warning: StoreWarning) => void;
  throttleMs?: number;
  heartbeatIntervalMs?: number;
  staleAfterMs?: number;
  lockTimeoutMs?: number;
  recordLockTimeoutMs?: number;
  resumeWindowMs?: number;
  resourceProbe?: ResourceProbe;
  /** Size budget of the project file in bytes (default 50 MB, at least 1 MiB); see store.retention. */
  maxDatabaseBytes?: number;
  /**
   * Run maintenance by itself when the last run is more than a day old (default true):
   * in slices between your calls, starting a second after open, never inside one.
   */
  autoMaintenance?: boolean;
}

const HOUR = 3_600_000;
const duration = z
  .number()
  .int()
  .nonnegative()
  .max(365 * 24 * HOUR);
const optionsSchema = z
  .object({
    projectId: z.string(),
    dir: z.string().min(1).optional(),
    clock: z
      .custom<Clock>(
        (c) => typeof (c as Clock)?.now === 'function' && typeof (c as Clock)?.monotonic === 'function',
      )
      .optional(),
    onWarning: z.function().optional(),
    throttleMs: duration.optional(),
    heartbeatIntervalMs: duration.min(10).optional(),
    staleAfterMs: duration.min(1).optional(),
    lockTimeoutMs: duration.optional(),
    recordLockTimeoutMs: duration.optional(),
    resumeWindowMs: duration.optional(),
    resourceProbe: z.function().optional(),
    maxDatabaseBytes: maxDatabaseBytesSchema.optional(),
    autoMaintenance: z.boolean().optional(),
  })
  .strict();

function defaultWarning(warning: StoreWarning): void {
  process.emitWarning(warning.message, { code: `CIDX_PROGRESS_${warning.code}` });
}

/** One project's progress file, open. Close it when done; it is not safe to share across threads. */
export class ProgressStore {
  readonly recording: RecordingService;
  readonly resume: ResumeService;
  /** Sync history: the report, and estimates of time left from it. */
  readonly metrics: MetricsService;
  /** Running and incomplete syncs, with liveness and age. */
  readonly status: StatusService;
  /** Retention and maintenance: old checkpoints and history, the archive, the size budget. */
  readonly retention: RetentionService;

  /** Merges the WAL between the caller's calls rather than inside one (see db/wal-merges). */
  private readonly walMerges: WalMerges;

  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(
    private readonly context: StoreContext,
    retention: RetentionService,
    options: { readOnly?: boolean } = {},
  ) {
    this.walMerges = new WalMerges(context.connection, {
      onError: (error) =>
        context.warn({ code: 'STORAGE', message: `merging the WAL: ${(error as Error).message}`, error }),
    });
    // A read-only store writes nothing, so it has nothing to merge (and may not merge).
    if (options.readOnly) this.walMerges.stop();
    this.recording = new RecordingService(context);
    this.metrics = new MetricsService(context);
    this.resume = new ResumeService(context, this.recording, historicalEstimate(this.metrics));
    this.status = new StatusService(context);
    this.retention = retention;
  }

  /**
   * Delete the rows that fail the checks every read applies (see validation/rows), a
   * damaged sync's row written to the archive first with its checkpoint and trail
   * removed, then the `sync_figures` rows the history report cannot use, recording those
   * syncs' figures again from `sync_history` (services/sync-figures-repair): what
   * `cidx-progress doctor --repair` runs. Returns what was removed and recorded.
   */
  removeDamagedRows(): RepairResult {
    this.context.assertOpen();
    const rows = removeDamagedRows(this.context);
    const figures = repairFigures(this.context.repos.syncFigures, (name, work) =>
      this.context.write(name, work),
    );
    return { ...rows, figures };
  }

  get projectId(): string {
    return this.context.projectId;
  }

  get path(): string {
    return this.context.connection.path;
  }

  /**
   * Save what running syncs have not saved, give up their ownership (so another run
   * is offered to resume them at once) and close the file. Safe to call twice.
   */
  close(): void {
    if (this.context.isClosed) return;
    for (const recorder of [...this.context.activeRecorders]) recorder.release();
    this.context.markClosed();
    this.walMerges.stop();
    this.retention.stopBackground();
    closeConnection(this.context.connection);
  }
}

/** Open (creating, migrating or repairing as needed) the progress store of one project. */
export function openProgressStore(options: ProgressStoreOptions): ProgressStore {
  const { parsed, location, clock, onWarning, settings } = resolveOptions(options, 'openProgressStore');
  const connection = openStoreDatabase(location.dbPath, {
    lockTimeoutMs: settings.lockTimeoutMs,
    now: () => clock.now(),
    warn: (message, error) => onWarning({ code: 'CORRUPT', message, error }),
  });
  const { context, retention } = createContext(
    location.projectId,
    connection,
    clock,
    settings,
    onWarning,
    parsed.maxDatabaseBytes,
  );
  const store = new ProgressStore(context, retention);
  // Daily upkeep, in slices between the caller's calls: opening never waits on it.
  if (parsed.autoMaintenance !== false) store.retention.startBackground();
  return store;
}

/**
 * Open an existing store only to read it (the CLI's status, history, doctor and resume
 * listing): no file is created, migrated, repaired, maintained or moved aside (see
 * db/open-read-only). A file that needs any of that throws instead: CorruptDatabaseError,
 * MigrationPendingError, SchemaTooNewError, NotFoundError when there is no file. Writes
 * through it fail.
 */
export function openProgressStoreReadOnly(options: ProgressStoreOptions): ProgressStore {
  const { location, clock, onWarning, settings } = resolveOptions(options, 'openProgressStoreReadOnly');
  const connection = openReadOnlyConnection(location.dbPath, settings.lockTimeoutMs);
  const { context, retention } = createContext(location.projectId, connection, clock, settings, onWarning);
  return new ProgressStore(context, retention, { readOnly: true });
}

/**
 * The context and the retention service, made together: a write that finds the disk
 * full runs maintenance, and maintenance writes through the context, so the context is
 * given a call that reaches the retention service made just after it.
 */
function createContext(
  projectId: string,
  connection: Connection,
  clock: Clock,
  settings: StoreSettings,
  onWarning: (warning: StoreWarning) => void,
  maxDatabaseBytes?: number,
): { context: StoreContext; retention: RetentionService } {
  // The context needs retention's recovery and retention needs the context: the closure
  // reaches the service once it exists (a write before then has nothing to recover with).
  const made: { retention?: RetentionService } = {};
  const recoverSpace = () => made.retention?.recoverSpace() ?? 0;
  const context = new StoreContext(
    projectId,
    connection,
    createRepositories(connection),
    clock,
    settings,
    onWarning,
    recoverSpace,
  );
  const retention = new RetentionService(context, { maxDatabaseBytes });
  made.retention = retention;
  return { context, retention };
}

/**
 * The resume prompt's estimate, from the project's history (ResumeInfo has no rate: the
 * historical indexing rate and phase means stand in for it). An estimate that cannot be
 * made (a damaged row, say) leaves the sync's own one in place.
 */
function historicalEstimate(metrics: MetricsService): ResumeEstimator {
  return (info) => {
    try {
      return metrics.estimateRemaining({
        phase: info.phase,
        percent: info.progress,
        filesProcessed: info.filesProcessed,
        totalFiles: info.totalFiles,
      });
    } catch {
      return null;
    }
  };
}

function resolveOptions(options: ProgressStoreOptions, context: string) {
  const parsed = parseInput(optionsSchema, options, context);
  const location = resolveStoreLocation({ projectId: parsed.projectId, dir: parsed.dir });
  const clock = options.clock ?? systemClock;
  const onWarning = options.onWarning ?? defaultWarning;
  const settings: StoreSettings = {
    throttleMs: parsed.throttleMs ?? 1000,
    heartbeatIntervalMs: parsed.heartbeatIntervalMs ?? 10_000,
    staleAfterMs: parsed.staleAfterMs ?? 60_000,
    lockTimeoutMs: parsed.lockTimeoutMs ?? 10_000,
    recordLockTimeoutMs: parsed.recordLockTimeoutMs ?? 1000,
    resumeWindowMs: parsed.resumeWindowMs ?? 24 * HOUR,
    probe: options.resourceProbe ?? processProbe,
  };
  return { parsed, location, clock, onWarning, settings };
}
