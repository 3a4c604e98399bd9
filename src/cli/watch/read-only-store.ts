import BetterSqlite3, { type Database } from 'better-sqlite3';
import { assertSafeToRead } from '../../db/file-modes';
import { toStoreError } from '../../db/sqlite-errors';

/**
 * The one way `status --watch` opens a store: read-only, and only a file that exists.
 * No migration, repair, maintenance or mode change runs, so watching can never alter the
 * file a sync in another process is writing (SQLite may still create the -wal and -shm
 * companions, which are shared with that process).
 */
export function openReadOnlyStore(dbPath: string): Database {
  assertSafeToRead(dbPath);
  try {
    // A short busy wait: a reader in WAL mode only waits while a writer resets the log.
    return new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true, timeout: 1000 });
  } catch (error) {
    throw toStoreError(error, `open ${dbPath} read-only`);
  }
}
