import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Connection } from '../../src/db/connection';
import { MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { type OpenStoreDatabaseOptions, openStoreDatabase } from '../../src/db/open-store-database';

/** The migrations the package ships (drizzle/), as the migrator reads them. */
export const SHIPPED_MIGRATIONS = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });

const open = new Set<Connection>();

/**
 * Open a real store file exactly as the store does (configured, checked, migrated with
 * the shipped drizzle/ folder). Connections opened here are closed after each test, so a
 * failing assertion never leaves a file locked for the next test.
 */
export function openTestStore(dbPath: string, options: Partial<OpenStoreDatabaseOptions> = {}): Connection {
  const connection = openStoreDatabase(dbPath, { now: () => Date.now(), warn: () => {}, ...options });
  open.add(connection);
  return connection;
}

/** Close a connection opened by openTestStore now (for tests that reopen the file). */
export function closeTestStore(connection: Connection): void {
  if (connection.sqlite.open) connection.sqlite.close();
  open.delete(connection);
}

afterEach(() => {
  for (const connection of open) closeTestStore(connection);
});
