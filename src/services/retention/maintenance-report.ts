import { z } from 'zod';

const count = z.number().int().nonnegative();
const ms = z.number().int().nonnegative();

/** Rows removed of one kind and their payload bytes (column data, without index and page overhead). */
const removedSchema = z.object({ rows: count, bytes: count });

/** The file's size: `fileBytes` = pages × page size (what the file is once its WAL is merged). */
const sizeSchema = z.object({
  fileBytes: count,
  /** Of fileBytes, pages on the free list (reusable, or given back by a vacuum). */
  freeBytes: count,
  /** The write-ahead log beside the file, not yet merged. */
  walBytes: count,
});

/**
 * What one maintenance run did (or, for a dry run, would do). Plain and
 * JSON-serialisable. In a dry run `size.after` equals `size.before` and the budget
 * figures are projections from payload bytes.
 */
export const maintenanceReportSchema = z.object({
  dryRun: z.boolean(),
  /** `open`: the store ran it by itself; `disk-full`: a write found no space. */
  trigger: z.enum(['manual', 'open', 'disk-full']),
  /** Wall-clock time the run started (ms since the epoch). */
  startedAt: z.number().int(),
  durationMs: ms,
  /**
   * Write transactions committed, and the longest one apart from a full VACUUM (reported
   * as `vacuum.lockMs`): how long another process could wait on maintenance.
   */
  transactions: count,
  longestTransactionMs: ms,
  /**
   * Stretches the run was done in: 1 when run in one go (runMaintenance, a full disk);
   * more when the store ran it by itself in slices between the caller's calls.
   */
  slices: count,
  /**
   * The longest of those stretches (ms): how long this process's event loop, and so a
   * sync recording in it, waited on maintenance at most. The whole run when done in one go.
   */
  longestSliceMs: ms,
  removed: z.object({
    checkpoints: removedSchema,
    checkpointFiles: removedSchema,
    /** Sync rows archived and removed from the live table. */
    syncHistory: removedSchema,
    /** Trail rows dropped by compaction (their sync is kept). */
    progressCompacted: removedSchema,
    /** Trail rows removed with their sync, or whole trails pruned for the size budget. */
    progressRemoved: removedSchema,
  }),
  /** Running syncs whose owner is gone, marked interrupted when their checkpoint went. */
  syncsInterrupted: count,
  /** Expired checkpoints kept because their sync is running or still resumable. */
  checkpointsKept: count,
  archive: z.object({
    dir: z.string(),
    /** Batch files written (absolute paths, `{dir}/YYYY-MM/….jsonl.gz`); none in a dry run, which writes nothing. */
    filesWritten: z.array(z.string()),
    rows: count,
    /** Compressed bytes written. */
    bytesWritten: count,
    /** Archive files older than the archive window, deleted. */
    filesDeleted: z.array(z.string()),
  }),
  budget: z.object({
    maxBytes: count,
    /** Once over, data is pruned down to this. */
    targetBytes: count,
    overBefore: z.boolean(),
    overAfter: z.boolean(),
    /** What was pruned early (inside the retention windows) to get under the target. */
    pruned: z.object({ checkpoints: count, trails: count, syncs: count }),
  }),
  vacuum: z.object({
    kind: z.enum(['full', 'incremental', 'none']),
    /** Why this kind, in words: the free-page share, when the last full VACUUM ran, a sync running… */
    reason: z.string(),
    bytesReclaimed: count,
    /** How long a full VACUUM held the write lock (0 when none ran): everyone else's writes waited this long. */
    lockMs: ms,
  }),
  size: z.object({ before: sizeSchema, after: sizeSchema }),
  /**
   * Present when the run did not happen: another live process held the maintenance lease
   * for all of the wait (`reason: 'busy'`, and who: pid, host, boot id, last heartbeat),
   * or a daily run found, once it held the lease, that another process had finished one
   * meanwhile (`reason: 'not-due'`, and when that run started). Everything else is then zero.
   */
  skipped: z
    .discriminatedUnion('reason', [
      z.object({
        reason: z.literal('busy'),
        owner: z.object({
          pid: z.number().int(),
          host: z.string(),
          bootId: z.string().nullable(),
          heartbeatAt: z.number().int(),
        }),
      }),
      z.object({ reason: z.literal('not-due'), lastMaintenanceAt: z.number().int() }),
    ])
    .optional(),
});

export type MaintenanceReport = z.infer<typeof maintenanceReportSchema>;
export type RemovedRows = z.infer<typeof removedSchema>;
export type StoreSize = z.infer<typeof sizeSchema>;

export const maintenanceOptionsSchema = z
  .object({
    /** Work out and report what would be done, and change nothing (no rows, no files). */
    dryRun: z.boolean().optional(),
  })
  .strict()
  .optional();

export type MaintenanceOptions = NonNullable<z.input<typeof maintenanceOptionsSchema>>;

/** Where the store's own daily maintenance stands (`store.retention.upkeep.state`). */
export type BackgroundState = 'off' | 'waiting' | 'running' | 'idle';

/** Who holds the lease, as a skipped run reports it. */
export interface LeaseOwner {
  pid: number;
  host: string;
  bootId: string | null;
  /** Wall-clock time of the holder's last heartbeat (ms since the epoch). */
  heartbeatAt: number;
}
