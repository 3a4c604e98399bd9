import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { type MigrationMeta, readMigrationFiles } from 'drizzle-orm/migrator';
import { SchemaTooNewError } from '../errors';
import { convertLegacyFileLog } from './legacy-file-log';
import { runInTransaction } from './transaction';

/**
 * The shipped `drizzle/` folder, found from this file's own location so it works from
 * src/ (tests), dist/ (the package) and any working directory.
 */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', '..', 'drizzle');

/** The table drizzle-kit migrate keeps; both ways of migrating must read and write the same one. */
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
  id SERIAL PRIMARY KEY,
  hash text NOT NULL,
  created_at numeric
)`;

/** @internal The migrations this package ships, oldest first (journal time, hash, statements). */
export function shippedMigrations(folder: string = MIGRATIONS_FOLDER): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: folder });
}

export interface MigrationResult {
  applied: number;
  /** The journal time of the newest migration now in the file. */
  version: number;
}

/**
 * @internal
 * Apply the shipped migrations, with the same bookkeeping as drizzle's migrator (a row
 * per migration: sha256 of the file and its journal time), so a file migrated by
 * `drizzle-kit migrate` is up to date here and the reverse. Unlike drizzle's migrator,
 * which reads its state before taking a lock, this reads and writes inside one
 * BEGIN IMMEDIATE: two processes opening a new file at once apply it exactly once.
 */
export function applyMigrations(
  sqlite: Database,
  folder: string = MIGRATIONS_FOLDER,
  lockTimeoutMs?: number,
): MigrationResult {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const newestShipped = Math.max(0, ...migrations.map((m) => m.folderMillis));
  return runInTransaction(
    sqlite,
    () => {
      sqlite.exec(MIGRATIONS_TABLE_DDL);
      const last = sqlite
        .prepare('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1')
        .get() as { created_at: number | string } | undefined;
      const lastApplied = last ? Number(last.created_at) : 0;
      if (lastApplied > newestShipped) {
        throw new SchemaTooNewError(
          `the database schema (migration of ${new Date(lastApplied).toISOString()}) is newer ` +
            `than this version of cidx-progress knows (${new Date(newestShipped).toISOString()}); ` +
            'upgrade cidx-progress rather than open it with an older version',
        );
      }
      const record = sqlite.prepare(
        'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)',
      );
      let applied = 0;
      for (const migration of migrations) {
        if (migration.folderMillis <= lastApplied) continue;
        for (const statement of migration.sql) {
          if (statement.trim()) sqlite.exec(statement);
        }
        record.run(migration.hash, migration.folderMillis);
        applied++;
      }
      // The data half of migration 0002, also when `drizzle-kit migrate` applied its SQL half.
      convertLegacyFileLog(sqlite);
      return { applied, version: Math.max(lastApplied, newestShipped) };
    },
    { name: 'apply migrations', lockTimeoutMs },
  );
}
