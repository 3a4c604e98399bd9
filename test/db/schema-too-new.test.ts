import fs from 'node:fs';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openConnection } from '../../src/db/connection';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { openStoreDatabase } from '../../src/db/open-store-database';
import { SchemaTooNewError } from '../../src/errors';
import { closeTestStore, openTestStore } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';

const newestShipped = Math.max(
  ...readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((m) => m.folderMillis),
);

// A file migrated by a newer cidx-progress must never be used (or "repaired") by an
// older one: its tables may mean something this version does not know.
describe('a file whose schema is newer than the code', () => {
  const tmp = useTempDir();

  function fileFromTheFuture(): string {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    const raw = new Database(dbPath);
    raw
      .prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)')
      .run('from-a-newer-release', newestShipped + 1);
    raw.close();
    return dbPath;
  }

  it('fails applyMigrations with SchemaTooNewError', () => {
    const dbPath = fileFromTheFuture();
    const { sqlite } = openConnection(dbPath);
    try {
      expect(() => applyMigrations(sqlite)).toThrow(SchemaTooNewError);
      expect(() => applyMigrations(sqlite)).toThrow(
        `the database schema (migration of ${new Date(newestShipped + 1).toISOString()}) is newer ` +
          `than this version of cidx-progress knows (${new Date(newestShipped).toISOString()}); ` +
          'upgrade cidx-progress rather than open it with an older version',
      );
    } finally {
      sqlite.close();
    }
  });

  it('fails openStoreDatabase with code SCHEMA_TOO_NEW, leaving the file where and as it was', () => {
    const dbPath = fileFromTheFuture();
    const before = fs.readFileSync(dbPath);
    const warn = jest.fn();

    let thrown: unknown;
    try {
      openStoreDatabase(dbPath, { now: () => 1, warn });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(SchemaTooNewError);
    expect(thrown).toMatchObject({ code: 'SCHEMA_TOO_NEW', name: 'SchemaTooNewError' });
    expect(warn).not.toHaveBeenCalled();
    expect(listDir(tmp.path)).toEqual(['p.db']); // not quarantined
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  });
});
