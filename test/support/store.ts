import fs from 'node:fs';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Connection } from '../../src/db/connection';
import { MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { type OpenStoreDatabaseOptions, openStoreDatabase } from '../../src/db/open-store-database';

/** The migrations the package ships (drizzle/), as the migrator reads them. */
export const SHIPPED_MIGRATIONS = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });

/** Their tags (drizzle/meta/_journal.json), in the same order. */
export const SHIPPED_TAGS = (
  JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  }
).entries.map((entry) => entry.tag);

/**
 * What takes a migrated file back to the schema of the migration before the latest (its
 * record is the caller's to delete): 0006 added the sync_figures table (with its index)
 * and the index of the report's window pass, and replaced the status and last-activity index.
 */
export const UNDO_LATEST_MIGRATION = [
  'DROP TABLE `sync_figures`',
  'DROP INDEX `sync_history_window_idx`',
  'DROP INDEX `sync_history_status_idx`',
  'DROP INDEX `sync_history_completed_activity_idx`',
  'CREATE INDEX `sync_history_status_activity_idx` ON `sync_history` (`status`,`last_activity_at`)',
];

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
