import fs from 'node:fs';
import { rerecordMigrations } from '../../src/db/migration-records';
import { MigrationPendingError, openReadOnlyConnection } from '../../src/db/open-read-only';
import { openStoreDatabase } from '../../src/db/open-store-database';
import { CorruptDatabaseError, DamagedMigrationRecordsError } from '../../src/errors';
import { handEdit } from '../support/hand-edit';
import {
  closeTestStore,
  openTestStore,
  SHIPPED_MIGRATIONS,
  SHIPPED_TAGS,
  UNDO_LATEST_MIGRATION,
} from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';
import BetterSqlite3 from 'better-sqlite3';

/**
 * A hand-edited `__drizzle_migrations` table met by the store's own open. Both migrators
 * decide what to apply from that table alone: a record that is not what the package wrote
 * (a created_at that is not a time, a row deleted, one recorded twice) must not make open
 * re-run migrations whose tables are already there. Open refuses it with a typed error
 * naming the command that fixes it, and changes nothing; the file is not moved aside (its
 * syncs are intact, only the bookkeeping is wrong).
 */
const tmp = useTempDir('cidx-damaged-migration-records-');
const LATEST = SHIPPED_MIGRATIONS.at(-1)!;
const COUNT = SHIPPED_MIGRATIONS.length;

function migratedFile(): string {
  const dbPath = tmp.join('p.db');
  closeTestStore(openTestStore(dbPath));
  return dbPath;
}

function openFailure(dbPath: string): { error: unknown; warn: jest.Mock } {
  const warn = jest.fn();
  try {
    openStoreDatabase(dbPath, { now: () => 1, warn }).sqlite.close();
  } catch (error) {
    return { error, warn };
  }
  throw new Error('open succeeded');
}

function expectRefusedUnchanged(dbPath: string, problem: RegExp): void {
  const before = fs.readFileSync(dbPath);
  const { error, warn } = openFailure(dbPath);
  expect(error).toBeInstanceOf(DamagedMigrationRecordsError);
  expect(error).toBeInstanceOf(CorruptDatabaseError);
  expect(error).toMatchObject({ code: 'CORRUPT', name: 'DamagedMigrationRecordsError' });
  const damaged = error as DamagedMigrationRecordsError;
  expect(damaged.problems.join('\n')).toMatch(problem);
  expect(damaged.message).toMatch(problem);
  expect(damaged.message).toContain('cidx-progress doctor --repair');
  // Not treated as a damaged file: nothing moved aside, nothing written, nobody warned.
  expect(warn).not.toHaveBeenCalled();
  expect(listDir(tmp.path)).toEqual(['p.db']);
  expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
}

describe('open with a hand-edited migrations table', () => {
  it('refuses a created_at edited to text instead of re-running every migration', () => {
    const dbPath = migratedFile();
    handEdit(
      dbPath,
      'UPDATE "__drizzle_migrations" SET created_at = ? WHERE created_at = ?',
      {},
      'yesterday',
      LATEST.folderMillis,
    );
    expectRefusedUnchanged(dbPath, /created_at 'yesterday' is not a time/);
  });

  it('refuses a created_at edited to text holding the right digits: the package writes integers', () => {
    const dbPath = migratedFile();
    // A column of text affinity keeps the digits as text, as a hand-made table would.
    handEdit(dbPath, 'DROP TABLE "__drizzle_migrations"');
    handEdit(
      dbPath,
      'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at text)',
    );
    for (const migration of SHIPPED_MIGRATIONS)
      handEdit(
        dbPath,
        'INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)',
        {},
        migration.hash,
        String(migration.folderMillis),
      );
    expectRefusedUnchanged(dbPath, /is not a time/);
  });

  it('refuses a record that is not a time beside all the right ones', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, `INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', 'soon')`);
    expectRefusedUnchanged(dbPath, /created_at 'soon' is not a time/);
  });

  it("refuses a record whose time was moved, even with its migration's hash", () => {
    const dbPath = migratedFile();
    const moved = LATEST.folderMillis - 1;
    handEdit(
      dbPath,
      'UPDATE "__drizzle_migrations" SET created_at = ? WHERE created_at = ?',
      {},
      moved,
      LATEST.folderMillis,
    );
    expectRefusedUnchanged(
      dbPath,
      new RegExp(`a record of ${new Date(moved).toISOString()} matches no shipped`),
    );
  });

  it('trusts the right records in any order (the table is read, not its row order)', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations"');
    for (const migration of [...SHIPPED_MIGRATIONS].reverse())
      handEdit(
        dbPath,
        'INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)',
        {},
        migration.hash,
        migration.folderMillis,
      );
    const connection = openStoreDatabase(dbPath, { now: () => 1, warn: () => {} });
    expect(connection.sqlite.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck().get()).toBe(
      COUNT,
    );
    connection.sqlite.close();
  });

  it('refuses a NULL created_at on the only record', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations" WHERE created_at <> ?', {}, LATEST.folderMillis);
    handEdit(dbPath, 'UPDATE "__drizzle_migrations" SET created_at = NULL');
    expectRefusedUnchanged(dbPath, /created_at NULL is not a time/);
  });

  it('refuses a deleted latest record whose migration is applied, rather than applying it again', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations" WHERE created_at = ?', {}, LATEST.folderMillis);
    expectRefusedUnchanged(dbPath, new RegExp(`${SHIPPED_TAGS.at(-1)} is applied .* but not recorded`));
  });

  it('refuses every record deleted over a migrated file', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations"');
    expectRefusedUnchanged(dbPath, /is applied .* but not recorded/);
  });

  it('refuses a record twice and a hash that is not the shipped one', () => {
    const dbPath = migratedFile();
    handEdit(
      dbPath,
      'INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)',
      {},
      LATEST.hash,
      LATEST.folderMillis,
    );
    expectRefusedUnchanged(dbPath, /recorded 2 times/);
    handEdit(
      dbPath,
      'DELETE FROM "__drizzle_migrations" WHERE rowid = (SELECT max(rowid) FROM "__drizzle_migrations")',
    );
    handEdit(
      dbPath,
      'UPDATE "__drizzle_migrations" SET hash = ? WHERE created_at = ?',
      {},
      'f'.repeat(64),
      LATEST.folderMillis,
    );
    expectRefusedUnchanged(dbPath, /hash that is not the shipped one/);
  });

  it('opens again once the records are re-recorded, as doctor --repair does', () => {
    const dbPath = migratedFile();
    handEdit(
      dbPath,
      'UPDATE "__drizzle_migrations" SET created_at = ? WHERE created_at = ?',
      {},
      'yesterday',
      LATEST.folderMillis,
    );
    const raw = new BetterSqlite3(dbPath);
    try {
      rerecordMigrations(raw, COUNT);
    } finally {
      raw.close();
    }
    const connection = openTestStore(dbPath);
    expect(connection.sqlite.prepare('SELECT count(*) FROM "__drizzle_migrations"').pluck().get()).toBe(
      COUNT,
    );
  });

  it('still applies what is pending when the records and the tables agree (one migration behind)', () => {
    const dbPath = migratedFile();
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations" WHERE created_at = ?', {}, LATEST.folderMillis);
    for (const statement of UNDO_LATEST_MIGRATION) handEdit(dbPath, statement);
    const connection = openTestStore(dbPath);
    expect(
      connection.sqlite
        .prepare('SELECT count(*) FROM "__drizzle_migrations" WHERE created_at = ?')
        .pluck()
        .get(LATEST.folderMillis),
    ).toBe(1);
    expect(
      connection.sqlite
        .prepare("SELECT sql FROM sqlite_master WHERE name = 'sync_history_damaged_figures_idx'")
        .pluck()
        .get(),
    ).toContain(`BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER}`);
  });

  it('the reading open refuses it the same way, rather than calling it "migrations pending"', () => {
    const dbPath = migratedFile();
    handEdit(
      dbPath,
      'UPDATE "__drizzle_migrations" SET created_at = ? WHERE created_at = ?',
      {},
      'yesterday',
      LATEST.folderMillis,
    );
    const before = fs.readFileSync(dbPath);
    expect(() => openReadOnlyConnection(dbPath)).toThrow(DamagedMigrationRecordsError);
    expect(() => openReadOnlyConnection(dbPath)).toThrow(/created_at 'yesterday' is not a time/);
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);

    // Records and tables that agree, one migration behind: pending, as before.
    handEdit(dbPath, 'DELETE FROM "__drizzle_migrations" WHERE created_at = ?', {}, 'yesterday');
    for (const statement of UNDO_LATEST_MIGRATION) handEdit(dbPath, statement);
    expect(() => openReadOnlyConnection(dbPath)).toThrow(MigrationPendingError);
  });
});
