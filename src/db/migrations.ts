import type { Database } from 'better-sqlite3';
import { SchemaTooNewError } from '../errors';
import { convertLegacyFileLog } from './legacy-file-log';
import { recordedMigrations } from './migration-records';
import { MIGRATIONS_FOLDER, shippedMigrations } from './shipped-migrations';
import { runInTransaction } from './transaction';

export { MIGRATIONS_FOLDER };

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
      const recorded = recordedMigrations(sqlite, migrations, folder);
      const lastApplied = recorded.lastApplied;
      if (lastApplied > newestShipped) {
        throw new SchemaTooNewError(
          `the database schema (migration of ${new Date(lastApplied).toISOString()}) is newer ` +
            `than this version of cidx-progress knows (${new Date(newestShipped).toISOString()}); ` +
            'upgrade cidx-progress rather than open it with an older version',
        );
      }
      // Records that are not what a migrator wrote would re-run migrations whose tables are there.
      const alreadyApplied = recorded.trustedCount();
      const record = sqlite.prepare(
        'INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)',
      );
      let applied = 0;
      for (const migration of migrations.slice(alreadyApplied)) {
        for (const statement of migration.sql) sqlite.exec(statement); // a blank one runs nothing
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
