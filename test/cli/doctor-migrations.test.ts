import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DoctorJson } from '../../src/cli/commands/doctor';
import { LEGACY_FILE_LOG_TABLE } from '../../src/db/legacy-file-log';
import { FIXTURE_DB } from '../fixtures/make-v0.1-fixture';
import { REPO_ROOT, runCommand } from '../support/child-process';
import { SHIPPED_MIGRATIONS } from '../support/store';
import { useTempDir } from '../support/temp-dir';
import { openStore, PROJECT, runCli, seedInterrupted } from './helpers';

/**
 * `doctor --repair` and a hand-edited `__drizzle_migrations` table (found by an outside
 * trial: a row deleted or a hash changed could not be repaired, and a deleted latest row
 * made every writing open fail re-running that migration). Repair re-records the applied
 * migrations when the file's tables and indexes are exactly those of the shipped
 * migrations up to some point (then migrates the rest); otherwise it changes nothing and
 * exits 8 (NEEDS_REPAIR), saying what differs.
 */
const tmp = useTempDir('cidx-cli-doctor-migrations-');
const args = (...extra: string[]) => ['doctor', '--project', PROJECT, '--dir', tmp.path, ...extra];
const dbPath = () => tmp.join(`${PROJECT}.db`);

function sql(statement: string, ...params: unknown[]): void {
  const db = new BetterSqlite3(dbPath());
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
}

function recorded(): Array<{ hash: string; created_at: number }> {
  const db = new BetterSqlite3(dbPath(), { readonly: true });
  try {
    return db
      .prepare('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at')
      .all() as Array<{ hash: string; created_at: number }>;
  } finally {
    db.close();
  }
}

const shipped = () => SHIPPED_MIGRATIONS.map((m) => ({ hash: m.hash, created_at: m.folderMillis }));

async function doctorJson(...extra: string[]): Promise<{ code: number; json: DoctorJson; stderr: string }> {
  const result = await runCli(args('--json', ...extra));
  return { code: result.code, json: JSON.parse(result.stdout) as DoctorJson, stderr: result.stderr };
}

const schemaCheck = (json: DoctorJson) => json.checks.find((c) => c.name === 'schema')!;
const integrityCheck = (json: DoctorJson) => json.checks.find((c) => c.name === 'integrity')!;

function tableNames(): string[] {
  const db = new BetterSqlite3(dbPath(), { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** The 0.1 fixture as this project's file, upgraded by `drizzle-kit migrate` (as the README documents). */
async function fixtureMigratedByDrizzleKit(): Promise<void> {
  fs.copyFileSync(FIXTURE_DB, dbPath());
  fs.chmodSync(dbPath(), 0o600);
  const env: NodeJS.ProcessEnv = { ...process.env, CIDX_PROGRESS_DB: dbPath() };
  delete env.CIDX_PROJECT_ID;
  delete env.CIDX_HOME;
  const kit = await runCommand(path.join(REPO_ROOT, 'node_modules', '.bin', 'drizzle-kit'), ['migrate'], {
    cwd: REPO_ROOT,
    env,
  });
  expect(kit).toMatchObject({ code: 0 });
  expect(recorded()).toEqual(shipped());
  expect(tableNames()).toContain(LEGACY_FILE_LOG_TABLE);
}

describe('doctor --repair and the migrations table', () => {
  it('a created_at edited to text: the reading commands exit 8 naming doctor --repair, not a writing command that would fail too', async () => {
    seedInterrupted(tmp.path);
    sql(
      'UPDATE "__drizzle_migrations" SET created_at = \'yesterday\' WHERE created_at = ?',
      SHIPPED_MIGRATIONS.at(-1)!.folderMillis,
    );
    const status = await runCli(['status', '--project', PROJECT, '--dir', tmp.path]);
    expect(status.code).toBe(8);
    expect(status.stderr).toContain("a record with created_at 'yesterday' is not a time");
    expect(status.stderr).toContain('cidx-progress doctor --repair');
    expect(status.stderr).not.toMatch(
      /migrations pending|cidx-progress maintain|moves the damaged file aside/,
    );
    const maintain = await runCli(['maintain', '--project', PROJECT, '--dir', tmp.path, '--json']);
    expect(maintain.code).toBe(1);
    expect(JSON.parse(maintain.stdout)).toEqual({
      error: { code: 'CORRUPT', message: expect.stringContaining('cidx-progress doctor --repair') },
    });

    expect((await doctorJson('--repair')).code).toBe(0);
    expect((await runCli(['status', '--project', PROJECT, '--dir', tmp.path])).code).toBe(0);
  });

  it.each([
    [
      'the latest row deleted',
      'DELETE FROM "__drizzle_migrations" WHERE created_at = (SELECT max(created_at) FROM "__drizzle_migrations")',
    ],
    ['a middle row deleted', 'DELETE FROM "__drizzle_migrations" WHERE created_at = ?'],
    ['a hash changed', 'UPDATE "__drizzle_migrations" SET hash = \'0000\' WHERE created_at = ?'],
    [
      'a row recorded twice',
      'INSERT INTO "__drizzle_migrations" (hash, created_at) SELECT hash, created_at FROM "__drizzle_migrations" WHERE created_at = ?',
    ],
  ])('%s: doctor names it; --repair re-records the migrations and keeps the data', async (_name, edit) => {
    const jobId = seedInterrupted(tmp.path);
    const middle = SHIPPED_MIGRATIONS[1]!.folderMillis;
    if (edit.includes('?')) sql(edit, middle);
    else sql(edit);
    expect(recorded()).not.toEqual(shipped());

    const before = await doctorJson();
    expect(before.code).toBe(4);
    expect(schemaCheck(before.json)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/migrations table does not match the shipped migrations/),
      advice: expect.stringContaining('cidx-progress doctor --repair'),
    });

    const repaired = await doctorJson('--repair');
    expect(repaired.code).toBe(0);
    expect(schemaCheck(repaired.json)).toMatchObject({ status: 'ok' });
    expect(recorded()).toEqual(shipped());
    const store = openStore(tmp.path);
    try {
      expect(store.resume.checkResumable()).toMatchObject({ jobId, canResume: true });
    } finally {
      store.close();
    }
  });

  it('a schema that matches no shipped migration and records that disagree: --repair changes nothing and exits 8', async () => {
    openStore(tmp.path).close();
    // A hash changed, and an index of the latest schema defined differently.
    sql(
      'UPDATE "__drizzle_migrations" SET hash = \'0000\' WHERE created_at = ?',
      SHIPPED_MIGRATIONS[1]!.folderMillis,
    );
    sql('DROP INDEX `sync_history_start_time_idx`');
    sql('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');
    const edited = recorded();

    const before = await doctorJson();
    expect(before.code).toBe(4);
    expect(schemaCheck(before.json)).toMatchObject({
      status: 'fail',
      advice: expect.stringMatching(/repair cannot tell which migrations ran/),
    });

    const result = await runCli(args('--repair'));
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/match no shipped migration/);
    expect(result.stderr).toContain('sync_history_start_time_idx');
    expect(recorded()).toEqual(edited);

    const json = await runCli(args('--repair', '--json'));
    expect(json.code).toBe(8);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'NEEDS_REPAIR', message: expect.stringMatching(/match no shipped migration/) },
    });
  });

  it('a 0.1 file upgraded by `drizzle-kit migrate` is not a failure; --repair converts its file log', async () => {
    await fixtureMigratedByDrizzleKit();

    const before = await doctorJson();
    expect(before.code).toBe(0);
    expect(schemaCheck(before.json)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`${LEGACY_FILE_LOG_TABLE}`),
      advice: expect.stringContaining('cidx-progress doctor --repair'),
    });
    expect(schemaCheck(before.json).advice).not.toMatch(/move the file aside/);

    const repaired = await doctorJson('--repair');
    expect(repaired.code).toBe(0);
    expect(schemaCheck(repaired.json)).toMatchObject({ status: 'ok' });
    expect(tableNames()).not.toContain(LEGACY_FILE_LOG_TABLE);
    expect(recorded()).toEqual(shipped());
  });

  it('an index the user added is a warning, and --repair leaves it and the records alone', async () => {
    openStore(tmp.path).close();
    sql('CREATE INDEX my_own_idx ON sync_history (status)');

    const before = await doctorJson();
    expect(before.code).toBe(0);
    expect(schemaCheck(before.json)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('index my_own_idx'),
    });

    const repaired = await doctorJson('--repair');
    expect(repaired.code).toBe(0);
    expect(recorded()).toEqual(shipped());
    expect(schemaCheck(repaired.json)).toMatchObject({ status: 'warn' });
  });

  it('tables and indexes that match no migration, with consistent records: a warning, and --repair changes nothing', async () => {
    openStore(tmp.path).close();
    sql('DROP INDEX `sync_history_start_time_idx`');
    sql('CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`end_time`)');

    const before = await doctorJson();
    expect(before.code).toBe(0);
    const check = schemaCheck(before.json);
    expect(check).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('index sync_history_start_time_idx is defined differently'),
    });
    expect(check.advice).not.toMatch(/move the file aside/);

    const repaired = await doctorJson('--repair');
    expect(repaired.code).toBe(0);
    expect(recorded()).toEqual(shipped());
  });

  it.each([
    ["'abc'", "'abc'"],
    ['NULL', 'NULL'],
    ['-5', '-5'],
  ])(
    'a record with created_at %s: the schema check names it, the file stays readable, --repair re-records',
    async (value, shown) => {
      openStore(tmp.path).close();
      sql(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('x', ${value})`);

      const before = await doctorJson();
      expect(before.code).toBe(4);
      expect(integrityCheck(before.json)).toMatchObject({ status: 'ok' });
      expect(before.json.facts.openError).toBeNull();
      expect(schemaCheck(before.json)).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`a record with created_at ${shown} is not a time`),
        advice: expect.stringContaining('cidx-progress doctor --repair'),
      });

      const repaired = await doctorJson('--repair');
      expect(repaired.code).toBe(0);
      expect(schemaCheck(repaired.json)).toMatchObject({ status: 'ok' });
      expect(recorded()).toEqual(shipped());
    },
  );

  it('a migrations table doctor cannot read: the schema check says so, not the integrity check', async () => {
    openStore(tmp.path).close();
    sql('DROP TABLE "__drizzle_migrations"');
    sql('CREATE TABLE "__drizzle_migrations" (id integer)');

    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(json.facts.openError).toBeNull();
    expect(integrityCheck(json)).toMatchObject({ status: 'ok' });
    expect(schemaCheck(json)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^the migrations table cannot be checked: .*no such column: hash/),
    });
  });

  it('leaves a healthy migrations table alone', async () => {
    openStore(tmp.path).close();
    const { code } = await doctorJson('--repair');
    expect(code).toBe(0);
    expect(recorded()).toEqual(shipped());
  });
});
