import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openConnection } from '../../src/db/connection';
import { verifySchema } from '../../src/db/integrity';
import { applyMigrations, MIGRATIONS_FOLDER } from '../../src/db/migrations';
import { REPO_ROOT, runCommand } from '../support/child-process';
import { closeTestStore, openTestStore } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';

/**
 * CIDX upgrades run `drizzle-kit migrate` against a project file; the store migrates at
 * open. Both must read and write the same bookkeeping, so a file migrated one way is up
 * to date for the other. These run the real drizzle-kit binary with the repo's config.
 */
const DRIZZLE_KIT = path.join(REPO_ROOT, 'node_modules', '.bin', 'drizzle-kit');
const shipped = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });

function drizzleKitMigrate(env: Record<string, string>) {
  const base = { ...process.env };
  delete base.CIDX_PROGRESS_DB;
  delete base.CIDX_PROJECT_ID;
  delete base.CIDX_HOME;
  return runCommand(DRIZZLE_KIT, ['migrate'], { cwd: REPO_ROOT, env: { ...base, ...env } });
}

function readMigrationRows(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at').all();
  } finally {
    db.close();
  }
}

describe('drizzle-kit migrate and the store share one migration history', () => {
  const tmp = useTempDir();

  it('refuses a CIDX_PROGRESS_DB that is a symbolic link, creating nothing at its target', async () => {
    const target = tmp.join('elsewhere.db');
    fs.symlinkSync(target, tmp.join('linked.db'));
    const kit = await drizzleKitMigrate({ CIDX_PROGRESS_DB: tmp.join('linked.db') });
    expect(kit.code).not.toBe(0);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('a file created by `drizzle-kit migrate` is opened by the store without migrating again', async () => {
    const dbPath = tmp.join('x.db');
    const kit = await drizzleKitMigrate({ CIDX_PROGRESS_DB: dbPath });
    expect(kit).toMatchObject({ code: 0 });
    const rowsByKit = readMigrationRows(dbPath);
    expect(rowsByKit).toEqual(shipped.map((m) => ({ hash: m.hash, created_at: m.folderMillis })));

    const connection = openConnection(dbPath);
    try {
      expect(applyMigrations(connection.sqlite)).toMatchObject({ applied: 0 });
      expect(() => verifySchema(connection.sqlite)).not.toThrow();
      // drizzle-kit created the file without auto-vacuum; the store switched it.
      expect(connection.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(connection.sqlite.pragma('quick_check', { simple: true })).toBe('ok');
    } finally {
      connection.sqlite.close();
    }

    const warn = jest.fn();
    closeTestStore(openTestStore(dbPath, { warn }));
    expect(warn).not.toHaveBeenCalled(); // not mistaken for damage
    expect(readMigrationRows(dbPath)).toEqual(rowsByKit);
  });

  it('a file created by the store is up to date for `drizzle-kit migrate`', async () => {
    const dbPath = tmp.join('x.db');
    closeTestStore(openTestStore(dbPath));
    const rowsByStore = readMigrationRows(dbPath);
    expect(rowsByStore).toHaveLength(shipped.length);

    const kit = await drizzleKitMigrate({ CIDX_PROGRESS_DB: dbPath });

    expect(kit).toMatchObject({ code: 0 });
    expect(readMigrationRows(dbPath)).toEqual(rowsByStore);
    // And the store still opens it as it left it.
    const again = openTestStore(dbPath);
    expect(again.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
  });

  it('finds the project file from CIDX_HOME and CIDX_PROJECT_ID, creating the folder owner-only', async () => {
    const home = tmp.join('home');
    const kit = await drizzleKitMigrate({ CIDX_HOME: home, CIDX_PROJECT_ID: 'proj-1' });

    expect(kit).toMatchObject({ code: 0 });
    const dbPath = path.join(home, 'progress', 'proj-1.db');
    expect(fs.existsSync(dbPath)).toBe(true);
    expect(fs.statSync(path.join(home, 'progress')).mode & 0o777).toBe(0o700);
    closeTestStore(openTestStore(dbPath));
    expect(readMigrationRows(dbPath)).toHaveLength(shipped.length);
  });

  it('refuses a CIDX_PROJECT_ID that could leave the folder, and writes nothing', async () => {
    const home = tmp.join('home');
    const kit = await drizzleKitMigrate({ CIDX_HOME: home, CIDX_PROJECT_ID: '../escape' });

    expect(kit.code).not.toBe(0);
    expect(kit.stdout + kit.stderr).toMatch(/not a valid project id/);
    expect(listDir(tmp.path)).toEqual([]);
  });
});
