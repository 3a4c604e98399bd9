import type { ArchiveDamage, ArchivedSync } from './services/retention/archived-sync';

/**
 * The one error hierarchy of the package. Every error the store throws on purpose is a
 * ProgressStoreError with a stable `code`; callers branch on the code, not the message.
 */
export type ProgressErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'STORAGE_FULL'
  | 'CORRUPT'
  | 'LOCKED'
  | 'SCHEMA_TOO_NEW'
  | 'STORAGE'
  | 'CLOSED'
  | 'UNSAFE_PATH';

export abstract class ProgressStoreError extends Error {
  abstract readonly code: ProgressErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `percent` or `files.3`. */
  path: string;
  message: string;
}

export class ValidationError extends ProgressStoreError {
  readonly code = 'VALIDATION' as const;
  constructor(
    readonly issues: ValidationIssue[],
    context?: string,
  ) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    super(context ? `${context}: ${detail}` : detail);
  }
}

export class NotFoundError extends ProgressStoreError {
  readonly code = 'NOT_FOUND' as const;
}

/** Someone else got there first: a resume already claimed, a sync no longer owned. */
export class ConflictError extends ProgressStoreError {
  readonly code = 'CONFLICT' as const;
}

export class StorageFullError extends ProgressStoreError {
  readonly code = 'STORAGE_FULL' as const;
}

export class CorruptDatabaseError extends ProgressStoreError {
  readonly code = 'CORRUPT' as const;
}

/** One damaged row (see validation/rows): where it is and what is wrong with it. */
export interface RowDamage {
  table: 'sync_history' | 'checkpoints' | 'progress_updates' | 'store_meta';
  /** The row's key as `column=value` (job_id for syncs and checkpoints, id for progress rows, key for store_meta). */
  key: string;
  /** The SQL column found wrong first. */
  column: string;
  why: string;
}

export function describeDamage(damage: RowDamage): string {
  return `${damage.table} row ${damage.key} is damaged: ${damage.column} ${damage.why}`;
}

/** A damaged row met where a trusted one was required: the same code as any damage, with the row named. */
export class DamagedRowError extends CorruptDatabaseError {
  constructor(readonly damage: RowDamage) {
    super(describeDamage(damage));
  }
}

/**
 * The `__drizzle_migrations` table is not what cidx-progress (or `drizzle-kit migrate`)
 * wrote: a created_at that is not a time, a record deleted, twice or with another hash.
 * Migrating would re-run migrations whose tables are there, so the open stops and
 * changes nothing. Not damage to the file: it is never moved aside for this.
 */
export class DamagedMigrationRecordsError extends CorruptDatabaseError {
  constructor(readonly problems: string[]) {
    super(
      `the migrations table (__drizzle_migrations) is not what cidx-progress wrote: ${problems.join('; ')}; ` +
        'nothing was migrated or changed. Run `cidx-progress doctor` to see what is wrong and ' +
        '`cidx-progress doctor --repair` to re-record the migrations the file holds',
    );
  }
}

/**
 * An archive file (or folder) did not read back whole. `rows` holds every sync row that
 * could be read (one per job), `damaged` what could not: the file, where, and why.
 */
export class ArchiveDamagedError extends CorruptDatabaseError {
  constructor(
    readonly path: string,
    readonly rows: ArchivedSync[],
    readonly damaged: ArchiveDamage[],
  ) {
    const files = new Set(damaged.map((d) => d.file));
    super(
      `archive ${path} is damaged in ${files.size} file(s): ${damaged
        .map((d) => `${d.file} at byte ${d.offset}: ${d.reason}`)
        .slice(0, 3)
        .join('; ')}`,
    );
  }
}

/** The write lock stayed with another process past the store's bound. */
export class DatabaseLockedError extends ProgressStoreError {
  readonly code = 'LOCKED' as const;
}

/** The file was migrated by a newer cidx-progress; this version must not touch it. */
export class SchemaTooNewError extends ProgressStoreError {
  readonly code = 'SCHEMA_TOO_NEW' as const;
}

/** Any other failure of the underlying file or driver. */
export class StorageError extends ProgressStoreError {
  readonly code = 'STORAGE' as const;
}

export class StoreClosedError extends ProgressStoreError {
  readonly code = 'CLOSED' as const;
}

/**
 * A path the store would have to follow through a link, or that belongs to another user:
 * refused so that nothing outside the store's folder is created, written, chmodded or deleted.
 */
export class UnsafePathError extends ProgressStoreError {
  readonly code = 'UNSAFE_PATH' as const;
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} ${reason}`);
  }
}
