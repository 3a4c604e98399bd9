import BetterSqlite3 from 'better-sqlite3';
import { checkMigrationRecords, rerecordMigrations } from '../../src/db/migration-records';
import { applyMigrations } from '../../src/db/migrations';
import { SHIPPED_MIGRATIONS } from '../support/store';

/**
 * The migrations table against the file's tables and indexes (db/migration-records), on
 * in-memory databases migrated by the store's own runner. The CLI side (doctor, --repair)
 * is test/cli/doctor-migrations.test.ts.
 */
const LATEST = SHIPPED_MIGRATIONS.at(-1)!;
const COUNT = SHIPPED_MIGRATIONS.length;
/** What the latest migration (0003) undid: two indexes. */
const UNDO_LATEST = [
  'CREATE INDEX `progress_updates_timestamp_idx` ON `progress_updates` (`timestamp`)',
  'CREATE INDEX `checkpoints_created_at_idx` ON `checkpoints` (`created_at`)',
];

function migrated(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  applyMigrations(db);
  return db;
}

describe('checkMigrationRecords', () => {
  it('finds nothing wrong with a migrated file, and null without a migrations table', () => {
    const db = migrated();
    expect(checkMigrationRecords(db)).toEqual({
      newer: false,
      problems: [],
      matched: COUNT,
      matchedTag: '0003_drop_unused_indexes',
      differences: [],
    });
    expect(checkMigrationRecords(new BetterSqlite3(':memory:'))).toBeNull();
  });

  it('a file one migration behind, records and schema alike, is only behind', () => {
    const db = migrated();
    db.prepare('DELETE FROM "__drizzle_migrations" WHERE created_at = ?').run(LATEST.folderMillis);
    for (const statement of UNDO_LATEST) db.exec(statement);
    expect(checkMigrationRecords(db)).toMatchObject({ problems: [], matched: COUNT - 1 });
  });

  it('a migration recorded whose tables are not in the file, and a record no migration has', () => {
    const db = migrated();
    for (const statement of UNDO_LATEST) db.exec(statement);
    db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run('x', 1_000);
    const check = checkMigrationRecords(db)!;
    expect(check.matched).toBe(COUNT - 1);
    expect(check.problems).toEqual([
      '0003_drop_unused_indexes is recorded but its tables and indexes are not in the file',
      `a record of ${new Date(1_000).toISOString()} matches no shipped migration`,
    ]);

    rerecordMigrations(db, check.matched!);
    expect(checkMigrationRecords(db)).toMatchObject({ problems: [], matched: COUNT - 1 });
    expect(db.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck().get()).toBe(COUNT - 1);
  });

  it('leaves a record newer than this version to the other checks', () => {
    const db = migrated();
    db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(
      'f'.repeat(64),
      LATEST.folderMillis + 1,
    );
    expect(checkMigrationRecords(db)).toMatchObject({ newer: true, problems: [] });
  });

  it('a table defined differently matches no migration, and says how it differs', () => {
    const db = migrated();
    db.exec('CREATE TABLE extra (x)');
    db.exec('DROP INDEX `sync_history_start_time_idx`');
    db.exec('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');
    const check = checkMigrationRecords(db)!;
    expect(check.matched).toBeNull();
    expect(check.differences).toEqual(
      expect.arrayContaining([
        'table extra is in the file but not in migration 0003_drop_unused_indexes',
        'index sync_history_start_time_idx is defined differently',
      ]),
    );
    expect(check.problems).toEqual([
      expect.stringMatching(/^the tables and indexes match no shipped migration/),
    ]);
  });
});
