import {
  CorruptDatabaseError,
  DatabaseLockedError,
  ProgressStoreError,
  StorageError,
  StorageFullError,
} from '../errors';

/**
 * The SQLite result code behind an error, if any. drizzle's `db.run(sql…)` wraps driver
 * errors in a DrizzleError with the SqliteError in `cause`, so look one level down too.
 */
export function sqliteCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

// Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_CORRUPT_INDEX…) are matched by prefix.
export const isBusy = (error: unknown): boolean => {
  const code = sqliteCode(error);
  return !!code && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

/**
 * Out of space: SQLITE_FULL (which has no extended codes), or a file-size limit
 * (`ulimit -f`), which surfaces as IOERR_WRITE.
 */
export const isStorageFull = (error: unknown): boolean => {
  const code = sqliteCode(error);
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE';
};

export const isCorruption = (error: unknown): boolean => {
  const code = sqliteCode(error);
  return !!code && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
};

/** Turn a driver error into the package's typed error; typed errors pass through. */
export function toStoreError(error: unknown, action: string): ProgressStoreError {
  if (error instanceof ProgressStoreError) return error;
  const message = `${action}: ${(error as Error)?.message ?? String(error)}`;
  if (isBusy(error)) return new DatabaseLockedError(message, { cause: error });
  if (isStorageFull(error)) return new StorageFullError(message, { cause: error });
  if (isCorruption(error)) return new CorruptDatabaseError(message, { cause: error });
  return new StorageError(message, { cause: error });
}
