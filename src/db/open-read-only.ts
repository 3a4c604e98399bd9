import fs from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { CorruptDatabaseError, NotFoundError, SchemaTooNewError } from '../errors';
import { DEFAULT_LOCK_TIMEOUT_MS, retryWhileBusy } from './busy-retry';
import type { Connection } from './connection';
import { assertSafeToRead } from './file-modes';
import { structuralDamage, verifySchema } from './integrity';
import { recordedMigrations } from './migration-records';
import { shippedMigrations } from './shipped-migrations';
import { isCorruption, toStoreError } from './sqlite-errors';

/**
 * How the commands that only look (status, history, doctor, the listing part of resume)
 * open a store file: read-only, never migrating, repairing, maintaining or moving anything.
 *
 * When the file has no -wal beside it, everything committed is in the file itself, and
 * it is read as an in-memory snapshot of its bytes: SQLite then creates no companion files
 * at all (a read-only connection to a WAL database would create -wal and -shm). When a
 * -wal is there (a store is open somewhere, or one died), the file is opened read-only in
 * place, so what the WAL holds is seen; the companions already exist then.
 */

/** Files above this size are opened in place rather than copied into memory. */
export const SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;

/** The file is sound but older than this package's schema: a writer must migrate it first. */
export class MigrationPendingError extends Error {}

/**
 * Open the file read-only, creating no file: an in-memory snapshot when that is safe and
 * the file is at most `snapshotMaxBytes` (given by tests only).
 */
export function openReadOnlyDatabase(
  dbPath: string,
  busyTimeoutMs = 2000,
  snapshotMaxBytes = SNAPSHOT_MAX_BYTES,
): Database {
  const wal = `${dbPath}-wal`;
  const stat = fs.statSync(dbPath);
  if (!fs.existsSync(wal) && stat.size <= snapshotMaxBytes) {
    const bytes = fs.readFileSync(dbPath);
    // A writer that started meanwhile may have changed pages while they were read.
    if (!fs.existsSync(wal)) return snapshot(bytes);
  }
  // A read-only open never creates the file (better-sqlite3's fileMustExist adds nothing to it).
  return new BetterSqlite3(dbPath, { readonly: true, timeout: busyTimeoutMs });
}

/**
 * The one way `status --watch` opens a store: read-only, in place, and only a file that
 * exists. No migration, repair, maintenance or mode change runs, so watching can never
 * alter the file a sync in another process is writing (SQLite may still create the -wal
 * and -shm companions, which are shared with that process).
 */
export function openWatchConnection(dbPath: string): Connection {
  // The refusals of a writing open (links, other users' files), without its chmods.
  assertSafeToRead(dbPath);
  try {
    // A short busy wait: a reader in WAL mode only waits while a writer resets the log.
    const sqlite = new BetterSqlite3(dbPath, { readonly: true, timeout: 1000 });
    return { sqlite, orm: drizzle(sqlite), path: dbPath, lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS };
  } catch (error) {
    throw toStoreError(error, `open ${dbPath} read-only`);
  }
}

/**
 * The file as `doctor` looks at it: read-only like openReadOnlyDatabase, and checked for
 * nothing (a damaged or unmigrated file is what doctor is there to describe), wrapped as
 * a connection so that repositories can read it. Close it with closeConnection.
 */
export function openInspectionConnection(dbPath: string): Connection {
  const sqlite = openReadOnlyDatabase(dbPath);
  return { sqlite, orm: drizzle(sqlite), path: dbPath, lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS };
}

function snapshot(bytes: Buffer): Database {
  // A WAL-mode header (file format 2) makes SQLite look for a WAL an in-memory database
  // cannot have; the copy is marked as a rollback-journal file (1). The file is untouched.
  // (A file too short to have these bytes reads undefined there, and is left as it is.)
  if (bytes[18] === 2 && bytes[19] === 2) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return new BetterSqlite3(bytes, { readonly: true });
}

/**
 * A read-only connection to a store that can be read as it is: a database (not damaged
 * pages, not a garbage header), migrated up to this package's schema and no further.
 * Throws NotFoundError (no file), CorruptDatabaseError (damage), MigrationPendingError
 * (older schema) or SchemaTooNewError; never changes the file.
 */
export function openReadOnlyConnection(dbPath: string, lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Connection {
  // The refusals of a writing open (links, other users' files), without its chmods.
  assertSafeToRead(dbPath);
  if (!fs.existsSync(dbPath)) throw new NotFoundError(`no store file at ${dbPath}`);
  let sqlite: Database | undefined;
  try {
    sqlite = openReadOnlyDatabase(dbPath);
    const db = sqlite;
    retryWhileBusy(() => checkReadable(db, dbPath), lockTimeoutMs, 'check database (read-only)');
    return { sqlite, orm: drizzle(sqlite), path: dbPath, lockTimeoutMs };
  } catch (error) {
    sqlite?.close();
    if (error instanceof MigrationPendingError) throw error;
    if (isCorruption(error))
      throw new CorruptDatabaseError(`${dbPath}: ${(error as Error).message}`, { cause: error });
    throw toStoreError(error, `open ${dbPath} read-only`);
  }
}

function checkReadable(sqlite: Database, dbPath: string): void {
  sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  const damage = structuralDamage(sqlite);
  if (damage.length > 0)
    throw new CorruptDatabaseError(`quick_check found damage: ${damage.slice(0, 3).join('; ')}`);
  const migrations = shippedMigrations();
  const shipped = Math.max(0, ...migrations.map((m) => m.folderMillis));
  const hasTable = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  const recorded = hasTable ? recordedMigrations(sqlite, migrations) : null;
  if (recorded && recorded.lastApplied > shipped) {
    throw new SchemaTooNewError(
      `${dbPath} was migrated by a newer cidx-progress; upgrade cidx-progress to read it`,
    );
  }
  // Judged as the writing open judges them: hand-edited records are not "migrations pending".
  const applied = recorded ? recorded.trustedCount() : 0;
  if (applied < migrations.length) {
    throw new MigrationPendingError(
      applied === 0
        ? `${dbPath} has not been migrated yet`
        : `${dbPath} is behind this version's schema (migrations pending)`,
    );
  }
  verifySchema(sqlite);
}
