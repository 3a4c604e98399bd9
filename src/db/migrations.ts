import type { Database } from 'better-sqlite3';
import { DamagedMigrationRecordsError, SchemaTooNewError } from '../errors';
import { convertLegacyFileLog } from './legacy-file-log';
import { checkMigrationRecords, readMigrationRecords, recordedShippedCount } from './migration-records';
import { MIGRATIONS_FOLDER, shippedMigrations } from './shipped-migrations';
import { runInTransaction } from './transaction';

export { MIGRATIONS_FOLDER, shippedMigrations };

/** The table drizzle-kit migrate keeps; both ways of migrating must read and write the same one. */
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
  id SERIAL PRIMARY KEY,
  hash text NOT NULL,
  created_at numeric
)`;

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
 * The records are read back as strictly as input (db/migration-records): records that are
 * not what a migrator wrote fail with DamagedMigrationRecordsError before anything runs.
 */
export function applyMigrations(
  sqlite: Database,
  folder: string = MIGRATIONS_FOLDER,
  lockTimeoutMs?: number,
): MigrationResult {
  const migrations = shippedMigrations(folder);
  const newestShipped = Math.max(0, ...migrations.map((m) => m.folderMillis));
  return runInTransaction(
    sqlite,
    () => {
      sqlite.exec(MIGRATIONS_TABLE_DDL);
      const { records, unreadable } = readMigrationRecords(sqlite);
      const lastApplied = Math.max(0, ...records.map((r) => r.createdAt));
      if (lastApplied > newestShipped) {
        throw new SchemaTooNewError(
          `the database schema (migration of ${new Date(lastApplied).toISOString()}) is newer ` +
            `than this version of cidx-progress knows (${new Date(newestShipped).toISOString()}); ` +
            'upgrade cidx-progress rather than open it with an older version',
        );
      }
      const recorded = recordedShippedCount(records, unreadable, migrations);
      if (recorded !== migrations.length) {
        // Records that are not the first k shipped ones, or k whose tables are not those
        // of k migrations (a record deleted): applying from them would re-run migrations
        // whose tables are there. The records are judged as doctor judges them.
        const problems = checkMigrationRecords(sqlite, folder)?.problems ?? [];
        if (recorded === null || problems.length > 0)
          throw new DamagedMigrationRecordsError(
            problems.length > 0 ? problems : ['the records are not those of the shipped migrations'],
          );
      }
      const record = sqlite.prepare(
        'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)',
      );
      let applied = 0;
      for (const migration of migrations.slice(recorded)) {
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
