import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openConnection } from '../../src/db/connection';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { EXPECTED_TABLES } from '../../src/db/integrity';
import { DamagedMigrationRecordsError } from '../../src/errors';
import { useTempDir } from '../support/temp-dir';

const REPO_DRIZZLE = path.resolve(__dirname, '..', '..', 'drizzle');
const shipped = readMigrationFiles({ migrationsFolder: REPO_DRIZZLE });
const newestShipped = Math.max(...shipped.map((m) => m.folderMillis));

const migrationRows = (db: Database.Database) =>
  db.prepare('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at').all() as {
    hash: string;
    created_at: number;
  }[];

describe('applyMigrations', () => {
  const tmp = useTempDir();
  const opened: Database.Database[] = [];
  afterEach(() => opened.splice(0).forEach((db) => db.open && db.close()));
  const connect = (file = tmp.join('p.db')) => {
    const { sqlite } = openConnection(file);
    opened.push(sqlite);
    return sqlite;
  };

  it('finds the shipped drizzle/ folder from its own location, whatever the working directory', () => {
    expect(MIGRATIONS_FOLDER).toBe(REPO_DRIZZLE);
    expect(shipped.length).toBeGreaterThan(0);
  });

  it('applies every shipped migration to a new file and records it as drizzle-kit does', () => {
    const sqlite = connect();
    const result = applyMigrations(sqlite);

    expect(result).toEqual({ applied: shipped.length, version: newestShipped });
    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining([...EXPECTED_TABLES, '__drizzle_migrations']));
    // Same bookkeeping as drizzle's migrator: sha256 of the SQL file and its journal time.
    expect(migrationRows(sqlite)).toEqual(shipped.map((m) => ({ hash: m.hash, created_at: m.folderMillis })));
  });

  it('applies nothing the second time', () => {
    const sqlite = connect();
    applyMigrations(sqlite);
    expect(applyMigrations(sqlite)).toEqual({ applied: 0, version: newestShipped });
    expect(migrationRows(sqlite)).toHaveLength(shipped.length);
  });

  it('applies only the migrations newer than the newest one in the file', () => {
    const sqlite = connect();
    applyMigrations(sqlite);

    // A later release: the shipped folder plus one more migration.
    const folder = tmp.join('drizzle-next');
    fs.cpSync(REPO_DRIZZLE, folder, { recursive: true });
    const journalPath = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8'));
    const when = newestShipped + 1000;
    journal.entries.push({
      idx: journal.entries.length,
      version: '6',
      when,
      tag: '9999_next',
      breakpoints: true,
    });
    fs.writeFileSync(journalPath, JSON.stringify(journal));
    fs.writeFileSync(path.join(folder, '9999_next.sql'), 'CREATE TABLE `next_table` (`x` integer);');

    expect(applyMigrations(sqlite, folder)).toEqual({ applied: 1, version: when });
    expect(sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'next_table'").get()).toBeDefined();
    expect(migrationRows(sqlite).map((r) => Number(r.created_at))).toEqual([
      ...shipped.map((m) => m.folderMillis),
      when,
    ]);
  });

  it('rolls the whole migration back when a statement fails, so a retry starts clean', () => {
    const folder = tmp.join('drizzle-broken');
    fs.cpSync(REPO_DRIZZLE, folder, { recursive: true });
    const [first] = fs.readdirSync(folder).filter((f) => f.endsWith('.sql'));
    fs.appendFileSync(path.join(folder, first!), '\n--> statement-breakpoint\nTHIS IS NOT SQL;');

    const sqlite = connect();
    expect(() => applyMigrations(sqlite, folder)).toThrow(/syntax error/);
    expect(
      sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sync_history'").get(),
    ).toEqual({ n: 0 });
    expect(applyMigrations(sqlite)).toMatchObject({ applied: shipped.length });
  });

  it('refuses a created_at stored as text, even holding the right digits: both migrators write integers', () => {
    const sqlite = connect();
    sqlite.exec(
      'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at text)',
    );
    sqlite
      .prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)')
      .run(shipped.at(-1)!.hash, String(newestShipped));
    expect(() => applyMigrations(sqlite)).toThrow(DamagedMigrationRecordsError);
    expect(() => applyMigrations(sqlite)).toThrow(/created_at '\d+' is not a time/);
    // Nothing was applied: the refusal comes before any migration runs.
    expect(
      sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sync_history'").pluck().get(),
    ).toBe(0);
  });
});
