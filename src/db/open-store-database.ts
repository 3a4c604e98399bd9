import { CorruptDatabaseError, DamagedMigrationRecordsError } from '../errors';
import { retryWhileBusy } from './busy-retry';
import { type Connection, type ConnectionOptions, openConnection } from './connection';
import { verifyIntegrity, verifySchema } from './integrity';
import { applyMigrations } from './migrations';
import { quarantineDatabase } from './quarantine';
import { toStoreError } from './sqlite-errors';

export interface OpenStoreDatabaseOptions extends ConnectionOptions {
  now: () => number;
  warn: (message: string, detail?: unknown) => void;
  migrationsFolder?: string;
}

/**
 * Open a project file ready for use: configured, checked and migrated. A damaged file is
 * moved aside and replaced by a fresh one, and the caller is warned, so a sync never
 * stops over a broken progress file. Only corruption does this: a locked file fails
 * with DatabaseLockedError and is left alone.
 */
export function openStoreDatabase(dbPath: string, options: OpenStoreDatabaseOptions): Connection {
  try {
    return openVerified(dbPath, options);
  } catch (error) {
    // A hand-edited migrations table is bookkeeping gone wrong over intact syncs: doctor --repair's, not the quarantine's.
    if (!(error instanceof CorruptDatabaseError) || error instanceof DamagedMigrationRecordsError)
      throw error;
    const movedTo = quarantineDatabase(dbPath, options.now());
    options.warn(
      `progress database was damaged and has been replaced; the damaged file is at ${movedTo}`,
      error,
    );
    return openVerified(dbPath, options);
  }
}

function openVerified(dbPath: string, options: OpenStoreDatabaseOptions): Connection {
  const connection = openConnection(dbPath, options);
  try {
    // A lock taken by another process right after opening is waited out, not reported as damage.
    retryWhileBusy(
      () => verifyIntegrity(connection.sqlite),
      connection.lockTimeoutMs,
      'check database integrity',
    );
    applyMigrations(connection.sqlite, options.migrationsFolder, connection.lockTimeoutMs);
    verifySchema(connection.sqlite);
    return connection;
  } catch (error) {
    connection.sqlite.close();
    throw toStoreError(error, `open ${dbPath}`);
  }
}
