import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { LEGACY_FILE_LOG_TABLE } from '../../src/db/legacy-file-log';
import {
  checkMigrationRecords,
  recordedMigrations,
  rerecordMigrations,
} from '../../src/db/migration-records';
import { DamagedMigrationRecordsError } from '../../src/errors';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { SHIPPED_MIGRATIONS, UNDO_LATEST_MIGRATION } from '../support/store';
import { useTempDir } from '../support/temp-dir';
import { thrownBy } from '../support/thrown-by';

/**
 * The migrations table against the file's tables and indexes (db/migration-records), on
 * in-memory databases migrated by the store's own runner. The CLI side (doctor, --repair)
 * is test/cli/doctor-migrations.test.ts.
 */
const LATEST = SHIPPED_MIGRATIONS.at(-1)!;
const COUNT = SHIPPED_MIGRATIONS.length;
const UNDO_LATEST = UNDO_LATEST_MIGRATION;

function migrated(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  applyMigrations(db);
  return db;
}

/** Migrated as `drizzle-kit migrate` does: the SQL and the records, without the store's conversion of the 0.1 file log. */
function migratedBySqlOnly(count = COUNT): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  db.exec(
    'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
  );
  for (const migration of SHIPPED_MIGRATIONS.slice(0, count)) {
    for (const statement of migration.sql) if (statement.trim()) db.exec(statement);
    db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(
      migration.hash,
      migration.folderMillis,
    );
  }
  return db;
}

const tmp = useTempDir('cidx-migration-records-');

/** The shipped migrations plus one that changes data only (its schema is that of the one before). */
function foldersWithDataOnlyMigration(): string {
  const folder = tmp.join('drizzle');
  fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '0005_data_only.sql'), 'DELETE FROM `sync_history` WHERE 0;\n');
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as {
    entries: Array<Record<string, unknown>>;
  };
  journal.entries.push({
    idx: 5,
    version: '6',
    when: LATEST.folderMillis + 1_000,
    tag: '0005_data_only',
    breakpoints: true,
  });
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

/** What checkMigrationRecords says of a file whose only finding is a record newer than this version. */
const NEWER_RECORD_ONLY = {
  newer: true,
  problems: [],
  matched: null,
  matchedTag: null,
  differences: [],
  extra: [],
  legacyFileLog: false,
};

describe('checkMigrationRecords', () => {
  it('finds nothing wrong with a migrated file, and null without a migrations table', () => {
    const db = migrated();
    expect(checkMigrationRecords(db)).toEqual({
      newer: false,
      problems: [],
      matched: COUNT,
      matchedTag: '0006_sync_figures',
      differences: [],
      extra: [],
      legacyFileLog: false,
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
      '0006_sync_figures is recorded but its tables and indexes are not in the file',
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
    expect(checkMigrationRecords(db)).toEqual(NEWER_RECORD_ONLY);
  });

  it('an index laid out with other whitespace still matches; a space inside a quoted value does not', () => {
    const db = migrated();
    const activityIndexSql = () =>
      db
        .prepare("SELECT sql FROM sqlite_master WHERE name = 'sync_history_damaged_activity_idx'")
        .pluck()
        .get() as string;
    const recreate = (sql: string) => {
      db.exec('DROP INDEX `sync_history_damaged_activity_idx`');
      db.exec(sql);
    };
    const shipped = activityIndexSql();

    recreate(`${shipped.replace(' ON ', '\n     ON  ').replace(' WHERE ', '\n\tWHERE   ')}  \n`); // kept as written
    expect(checkMigrationRecords(db)).toMatchObject({ problems: [], matched: COUNT, differences: [] });

    recreate(shipped.replace("'integer'", "'inte ger'"));
    expect(checkMigrationRecords(db)).toMatchObject({
      matched: null,
      differences: [
        'index sync_history_damaged_activity_idx is defined differently from migration 0006_sync_figures',
      ],
    });
  });

  it('an index a later migration dropped, still in the file, is named as not in the closest migration', () => {
    const db = migrated();
    db.exec('CREATE INDEX `progress_updates_timestamp_idx` ON `progress_updates` (`timestamp`)'); // dropped by 0003
    expect(checkMigrationRecords(db)).toMatchObject({
      problems: [],
      matched: null,
      differences: [
        'index progress_updates_timestamp_idx is in the file but not in migration 0006_sync_figures',
      ],
    });
  });

  it('a record at time 0 is a time (the epoch), of no shipped migration', () => {
    const db = migrated();
    db.exec(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', 0)`);
    expect(checkMigrationRecords(db)!.problems).toEqual([
      'a record of 1970-01-01T00:00:00.000Z matches no shipped migration',
    ]);
  });

  it('a record at the latest time a Date holds is a time (newer than this version); one past it is not', () => {
    const latest = 8.64e15;
    const db = migrated();
    db.exec(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', ${latest})`);
    expect(checkMigrationRecords(db)).toEqual(NEWER_RECORD_ONLY);
    db.exec(`UPDATE "__drizzle_migrations" SET created_at = ${latest + 1} WHERE hash = 'x'`);
    expect(checkMigrationRecords(db)).toMatchObject({
      newer: false,
      problems: [`a record with created_at ${latest + 1} is not a time`],
    });
  });

  it('without records, a schema of no migration is compared with an empty file', () => {
    const db = migrated();
    db.exec('DELETE FROM "__drizzle_migrations"');
    db.exec('DROP INDEX `sync_history_start_time_idx`');
    db.exec('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');
    const check = checkMigrationRecords(db)!;
    expect(check).toMatchObject({ problems: [], matched: null });
    expect(check.differences).toContain('table sync_history is in the file but not in an empty file');
    expect(check.differences.every((d) => d.endsWith(' is in the file but not in an empty file'))).toBe(true);
  });

  it('a file with nothing but an empty migrations table is at no migration, and names none', () => {
    const db = migratedBySqlOnly(0);
    expect(checkMigrationRecords(db)).toMatchObject({ problems: [], matched: 0, matchedTag: null });
  });

  describe('records that disagree and a schema of no migration: the closest one is named', () => {
    /** Two indexes of the baseline redefined, and a record that is not a time. */
    function disagreeing(db: BetterSqlite3.Database): BetterSqlite3.Database {
      db.exec('DROP INDEX `sync_history_start_time_idx`');
      db.exec('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');
      db.exec('DROP INDEX `sync_history_project_id_idx`');
      db.exec('CREATE INDEX `sync_history_project_id_idx` ON `sync_history` (`job_id`)');
      db.exec(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', 'soon')`);
      return db;
    }
    const noMatch = (tag: string) =>
      `the tables and indexes match no shipped migration (closest: migration ${tag}; ` +
      `index sync_history_start_time_idx is defined differently from migration ${tag}; ` +
      `index sync_history_project_id_idx is defined differently from migration ${tag})`;

    it('the one with the fewest differences, not the latest', () => {
      const check = checkMigrationRecords(disagreeing(migratedBySqlOnly(2)))!;
      expect(check.problems.at(-1)).toBe(noMatch('0001_activity_monotonic'));
    });

    it('the earliest of those with as few (a migration that changes data only)', () => {
      const folder = foldersWithDataOnlyMigration();
      const check = checkMigrationRecords(disagreeing(migrated()), folder)!;
      expect(check.problems.at(-1)).toBe(noMatch('0006_sync_figures'));
    });
  });

  it('a trigger that only bears the name of the 0.1 file log is not that log', () => {
    const db = migrated();
    db.exec(`CREATE TRIGGER ${LEGACY_FILE_LOG_TABLE} AFTER INSERT ON store_meta BEGIN SELECT 1; END`);
    expect(checkMigrationRecords(db)).toMatchObject({
      legacyFileLog: false,
      matched: COUNT,
      extra: [`trigger ${LEGACY_FILE_LOG_TABLE}`],
    });
  });

  it('a table defined differently matches no migration, and says how it differs; consistent records are no problem', () => {
    const db = migrated();
    db.exec('CREATE TABLE extra (x)');
    db.exec('DROP INDEX `sync_history_start_time_idx`');
    db.exec('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');
    const check = checkMigrationRecords(db)!;
    expect(check.matched).toBeNull();
    expect(check.differences).toEqual([
      'index sync_history_start_time_idx is defined differently from migration 0006_sync_figures',
    ]);
    expect(check.extra).toEqual(['table extra']);
    expect(check.problems).toEqual([]);
  });

  it('no match and records that disagree: the records are the problem, and no match is said', () => {
    const db = migrated();
    db.exec('DROP INDEX `sync_history_start_time_idx`');
    db.prepare('UPDATE "__drizzle_migrations" SET hash = ? WHERE created_at = ?').run(
      '0',
      LATEST.folderMillis,
    );
    const check = checkMigrationRecords(db)!;
    expect(check.matched).toBeNull();
    expect(check.problems).toEqual([
      '0006_sync_figures is recorded with a hash that is not the shipped one',
      expect.stringMatching(
        /^the tables and indexes match no shipped migration \(closest: migration 0006_sync_figures; index sync_history_start_time_idx is missing from the file\)$/,
      ),
    ]);
  });

  it('records with a gap, no match: the gap is a problem of the records', () => {
    const db = migrated();
    db.exec('DROP INDEX `sync_history_start_time_idx`');
    db.prepare('DELETE FROM "__drizzle_migrations" WHERE created_at = ?').run(
      SHIPPED_MIGRATIONS[1]!.folderMillis,
    );
    const check = checkMigrationRecords(db)!;
    expect(check.matched).toBeNull();
    expect(check.problems[0]).toBe('0001_activity_monotonic is not recorded, but a later migration is');
  });

  it('a file migrated by SQL alone (drizzle-kit) still holds the 0.1 file log: it matches, and says the conversion is to come', () => {
    const db = migratedBySqlOnly();
    db.exec(`CREATE INDEX legacy_idx ON ${LEGACY_FILE_LOG_TABLE} (lineage_id)`);
    expect(checkMigrationRecords(db)).toEqual({
      newer: false,
      problems: [],
      matched: COUNT,
      matchedTag: '0006_sync_figures',
      differences: [],
      extra: [],
      legacyFileLog: true,
    });
  });

  it('the 0.1 file log in a file the migration that makes it has not reached matches nothing', () => {
    const db = migratedBySqlOnly(2);
    db.exec(`CREATE TABLE ${LEGACY_FILE_LOG_TABLE} (id integer)`);
    expect(checkMigrationRecords(db)).toMatchObject({
      problems: [],
      matched: null,
      legacyFileLog: true,
      differences: [
        `table ${LEGACY_FILE_LOG_TABLE} is in the file but not in migration 0001_activity_monotonic`,
      ],
    });
  });

  it('an index no migration creates is an extra, not a mismatch', () => {
    const db = migrated();
    db.exec('CREATE INDEX my_own_idx ON sync_history (status)');
    expect(checkMigrationRecords(db)).toMatchObject({
      problems: [],
      matched: COUNT,
      extra: ['index my_own_idx'],
    });
  });

  it.each([
    ["'abc'", "'abc'"],
    ['NULL', 'NULL'],
    ['-5', '-5'],
    ['1e300', '1e+300'],
    ['1.5', '1.5'],
    ["x'ab'", "x'ab'"],
    ["'it''s'", "'it''s'"],
  ])('a record with created_at %s is a problem of that record, not an error', (value, shown) => {
    const db = migrated();
    db.exec(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', ${value})`);
    const check = checkMigrationRecords(db)!;
    expect(check).toMatchObject({ newer: false, matched: COUNT });
    expect(check.problems).toEqual([`a record with created_at ${shown} is not a time`]);

    rerecordMigrations(db, check.matched!);
    expect(checkMigrationRecords(db)).toMatchObject({ problems: [], matched: COUNT });
  });

  it('builds the schemas of the shipped migrations in an in-memory database of its own, and closes it', () => {
    const folder = foldersWithDataOnlyMigration(); // a folder not seen before: nothing cached for it
    const db = migrated();
    const close = jest.spyOn(BetterSqlite3.prototype, 'close');
    try {
      checkMigrationRecords(db, folder);
      expect(close).toHaveBeenCalledTimes(1);
      expect((close.mock.contexts[0] as BetterSqlite3.Database).memory).toBe(true);
      expect(db.open).toBe(true);
    } finally {
      close.mockRestore();
    }
  });

  describe('a migration that changes data only (its schema is that of the one before)', () => {
    it('is not recorded as applied when it has not run', () => {
      const folder = foldersWithDataOnlyMigration();
      const db = migrated();
      expect(checkMigrationRecords(db, folder)).toMatchObject({ problems: [], matched: COUNT });
    });

    it('stays recorded when it has run', () => {
      const folder = foldersWithDataOnlyMigration();
      const db = new BetterSqlite3(':memory:');
      applyMigrations(db, folder);
      expect(checkMigrationRecords(db, folder)).toMatchObject({ problems: [], matched: COUNT + 1 });
    });

    it('with the records gone, repair records the first matching prefix, so it runs', () => {
      const folder = foldersWithDataOnlyMigration();
      const db = new BetterSqlite3(':memory:');
      applyMigrations(db, folder);
      db.exec('DELETE FROM "__drizzle_migrations"');
      const check = checkMigrationRecords(db, folder)!;
      expect(check.matched).toBe(COUNT);
      expect(check.problems).toHaveLength(COUNT);
    });
  });
});

describe('rerecordMigrations', () => {
  it('names itself in the error of a write that fails', () => {
    const dbPath = tmp.join('p.db');
    const db = new BetterSqlite3(dbPath);
    applyMigrations(db);
    db.close();
    const readOnly = new BetterSqlite3(dbPath, { readonly: true });
    try {
      expect(() => rerecordMigrations(readOnly, COUNT)).toThrow(
        're-record migrations: attempt to write a readonly database',
      );
    } finally {
      readOnly.close();
    }
  });
});

describe('recordedMigrations', () => {
  it('does not trust a record newer than this version, even asked before the schema-too-new check', () => {
    const db = migrated();
    db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(
      'f'.repeat(64),
      LATEST.folderMillis + 1,
    );
    const recorded = recordedMigrations(db, SHIPPED_MIGRATIONS);
    expect(recorded.lastApplied).toBe(LATEST.folderMillis + 1);
    // checkMigrationRecords leaves a newer record to that check: no problem of its own to name.
    const error = thrownBy(() => recorded.trustedCount());
    expect(error).toBeInstanceOf(DamagedMigrationRecordsError);
    expect(error).toMatchObject({ problems: ['the records are not those of the shipped migrations'] });
  });
});
