import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { DEFAULT_LOCK_TIMEOUT_MS, retryWhileBusy } from './busy-retry';
import { ensurePrivateDir, ensurePrivateFile } from './file-modes';
import { toStoreError } from './sqlite-errors';

/**
 * `journal_size_limit`, set on every store connection (below): when the WAL
 * starts over after a merge, its file is cut back to this. SQLite's default (-1) keeps
 * the file at the largest size it ever reached, so one 500k-file checkpoint would hold
 * tens of MB of disk for good. 4 MiB is about what SQLite's usual merge point (1,000
 * pages) lets the WAL reach, so everyday writes reuse the file instead of growing it
 * again after every merge. On a full disk the store merges and cuts it to zero instead
 * (truncateWal in db/wal-merges.ts).
 */
export const WAL_KEPT_BYTES = 4 * 1024 * 1024;

/** Query builder only: the repositories build every query; drizzle's relational API is not used. */
export type Orm = BetterSQLite3Database;

/** An open store file: the raw connection (prepared statements, pragmas) and drizzle over it. */
export interface Connection {
  sqlite: Database;
  orm: Orm;
  path: string;
  lockTimeoutMs: number;
}

/** Whether a transaction is open on the connection (better-sqlite3: the connection is the transaction). */
export function isInTransaction(connection: Connection): boolean {
  return connection.sqlite.inTransaction;
}

/** Close the connection's file; prepared statements over it stop working. */
export function closeConnection(connection: Connection): void {
  connection.sqlite.close();
}

export interface ConnectionOptions {
  lockTimeoutMs?: number;
  /** How long one statement waits inside SQLite before the retry loop takes over. */
  busyTimeoutMs?: number;
}

const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Open (creating if needed) a store file with the settings every connection needs:
 * private modes, WAL with synchronous=NORMAL set explicitly (the connection that turns
 * WAL on would otherwise stay at FULL) and a bounded WAL file, a busy timeout, and
 * incremental auto-vacuum (no foreign key pragma: none is declared, see src/schema/index.ts). Does not migrate;
 * see applyMigrations.
 */
export function openConnection(dbPath: string, options: ConnectionOptions = {}): Connection {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let sqlite: Database | undefined;
  try {
    // The base folder may be a link its owner made (a home on another disk); the files in it may not.
    ensurePrivateDir(path.dirname(dbPath), { allowLink: true });
    ensurePrivateFile(dbPath);
    sqlite = new BetterSqlite3(dbPath, { timeout: options.busyTimeoutMs ?? 100 });
    const db = sqlite;
    retryWhileBusy(() => configure(db), lockTimeoutMs, 'open database');
    ensurePrivateFile(dbPath);
    return { sqlite, orm: drizzle(sqlite), path: dbPath, lockTimeoutMs };
  } catch (error) {
    sqlite?.close();
    throw toStoreError(error, `open ${dbPath}`);
  }
}

function configure(sqlite: Database): void {
  if (sqlite.pragma('auto_vacuum', { simple: true }) !== AUTO_VACUUM_INCREMENTAL) {
    // Counted before the pragma below, which writes the first page of an empty file.
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    sqlite.pragma('auto_vacuum = INCREMENTAL');
    // On a file that already has pages (say, one created by `drizzle-kit migrate`, whose
    // own bookkeeping table comes first), the mode only takes effect after a VACUUM.
    if (pages > 0) sqlite.exec('VACUUM');
  }
  sqlite.pragma('journal_mode = WAL');
  // Without a limit the WAL file never shrinks after a merge (see WAL_KEPT_BYTES).
  sqlite.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
  sqlite.pragma('synchronous = NORMAL');
}
