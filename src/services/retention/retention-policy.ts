import { z } from 'zod';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The numbers of the retention policy, in one place (the README quotes them). Only the
 * size budget is an option of the store; the rest are fixed so every CIDX process that
 * opens a project file maintains it the same way.
 */
export interface RetentionPolicy {
  /** A checkpoint not updated for longer than this is deleted (unless its sync is running or resumable). */
  checkpointMaxAgeMs: number;
  /** A finished sync is kept in full for this long after its last activity, then archived. */
  historyMaxAgeMs: number;
  /** A finished sync's progress trail is compacted this long after its last activity. */
  trailCompactionDelayMs: number;
  /** The database is held under this many bytes. */
  maxDatabaseBytes: number;
  /** Once over the budget, data is pruned down to this share of it, so it is not pruned again the next day. */
  budgetTargetShare: number;
  /** When a write finds the disk full, maintenance frees at least this share of the used space. */
  pressureFreeShare: number;
  /** Maintenance runs by itself when a store opens and the last run is older than this. */
  maintenanceIntervalMs: number;
  /** At most one full VACUUM per this interval. */
  vacuumIntervalMs: number;
  /** A full VACUUM runs only when at least this share of the file's pages are free. */
  vacuumMinFreeShare: number;
  /** Free pages are given back to the file system (incremental_vacuum) once at least this many bytes are free. */
  incrementalVacuumMinBytes: number;
  /** Archive files are kept for this many months (by the month in their name), then deleted. */
  archiveMonths: number;
  /**
   * Write-lock time each maintenance batch aims at: batch sizes adapt to it (see
   * batch-sizer.ts), so a batch holds the lock about this long whatever the machine.
   */
  batchTargetMs: number;
  /** Syncs listed per page (and archived per batch at most); the adaptive trail batches grow to 20× this. */
  batchRows: number;
  /** File-log bytes a checkpoint batch starts from (×8: the most it grows to). */
  batchBytes: number;
  /** Pages given back per incremental_vacuum transaction to start with (×2: the most). */
  vacuumChunkPages: number;
}

export const DEFAULT_MAX_DATABASE_BYTES = 50_000_000;

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  checkpointMaxAgeMs: 7 * DAY,
  historyMaxAgeMs: 30 * DAY,
  trailCompactionDelayMs: HOUR,
  maxDatabaseBytes: DEFAULT_MAX_DATABASE_BYTES,
  budgetTargetShare: 0.8,
  pressureFreeShare: 0.1,
  maintenanceIntervalMs: DAY,
  vacuumIntervalMs: 30 * DAY,
  vacuumMinFreeShare: 0.25,
  incrementalVacuumMinBytes: 1_048_576,
  archiveMonths: 12,
  batchTargetMs: 5,
  batchRows: 500,
  batchBytes: 16_000_000,
  vacuumChunkPages: 128,
};

/** Smallest budget accepted: below this the schema and one sync's checkpoint do not fit. */
export const MIN_DATABASE_BYTES = 1_048_576;

/** The `maxDatabaseBytes` option of openProgressStore. */
export const maxDatabaseBytesSchema = z
  .number()
  .int()
  .min(MIN_DATABASE_BYTES)
  .max(2 ** 44);

export function retentionPolicy(overrides: Partial<RetentionPolicy>): RetentionPolicy {
  return { ...DEFAULT_RETENTION_POLICY, ...overrides };
}

/**
 * Null when a maintenance run is due (the last finished one, `lastAt`, is more than
 * `intervalMs` old), else the ms until it is. A last run in the future means the wall
 * clock went back: due (the run records the present).
 */
export function maintenanceDueIn(lastAt: number | null, now: number, intervalMs: number): number | null {
  if (lastAt !== null && lastAt <= now && now - lastAt <= intervalMs) return lastAt + intervalMs - now;
  return null;
}
