import BetterSqlite3 from 'better-sqlite3';
import type { DoctorJson } from '../../src/cli/commands/doctor';
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

describe('doctor --repair and the migrations table', () => {
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

  it('a schema that matches no shipped migration: --repair changes nothing and exits 8, saying what differs', async () => {
    openStore(tmp.path).close();
    // The latest migration's record deleted, and only one of the two indexes it dropped put back.
    sql(
      'DELETE FROM "__drizzle_migrations" WHERE created_at = (SELECT max(created_at) FROM "__drizzle_migrations")',
    );
    sql('CREATE INDEX `progress_updates_timestamp_idx` ON `progress_updates` (`timestamp`)');
    const edited = recorded();

    const result = await runCli(args('--repair'));
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/match no shipped migration/);
    expect(result.stderr).toContain('checkpoints_created_at_idx');
    expect(recorded()).toEqual(edited);

    const json = await runCli(args('--repair', '--json'));
    expect(json.code).toBe(8);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'NEEDS_REPAIR', message: expect.stringMatching(/match no shipped migration/) },
    });
  });

  it('leaves a healthy migrations table alone', async () => {
    openStore(tmp.path).close();
    const { code } = await doctorJson('--repair');
    expect(code).toBe(0);
    expect(recorded()).toEqual(shipped());
  });
});
