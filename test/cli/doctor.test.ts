import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { DoctorJson } from '../../src/cli/commands/doctor';
import { diagnose } from '../../src/cli/doctor/diagnose';
import { inspectStore } from '../../src/cli/doctor/inspect-store';
import { gunzipSync } from 'node:zlib';
import { flipBytesInPage, overwriteHeader, truncateFile } from '../support/damage';
import { handEdit } from '../support/hand-edit';
import { UNDO_LATEST_MIGRATION } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';
import { openStore, PROJECT, runCli, seedCompleted, seedInterrupted } from './helpers';

const tmp = useTempDir('cidx-cli-doctor-');
const args = (...extra: string[]) => ['doctor', '--project', PROJECT, '--dir', tmp.path, ...extra];
const dbPath = () => tmp.join(`${PROJECT}.db`);
const DAY = 24 * 3_600_000;

function sql(statement: string, ...params: unknown[]): void {
  const db = new BetterSqlite3(dbPath());
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
}

async function doctorJson(...extra: string[]): Promise<{ code: number; json: DoctorJson }> {
  const result = await runCli(args('--json', ...extra));
  return { code: result.code, json: JSON.parse(result.stdout) as DoctorJson };
}

const check = (json: DoctorJson, name: string) => json.checks.find((c) => c.name === name)!;

describe('cidx-progress doctor', () => {
  it('exits 3 when there is no store file', async () => {
    expect((await runCli(args())).code).toBe(3);
  });

  it('reports a healthy store: schema current, quick_check ok, size, modes', async () => {
    seedInterrupted(tmp.path);
    sql(
      "INSERT INTO store_meta (key, value) VALUES ('last_maintenance_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      Date.now(),
    );
    const { code, json } = await doctorJson();
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.checks.map((c) => [c.name, c.status])).toEqual([
      ['integrity', 'ok'],
      ['rows', 'ok'],
      ['figures', 'ok'],
      ['schema', 'ok'],
      ['size', 'ok'],
      ['links and owners', 'ok'],
      ['file modes', 'ok'],
      ['maintenance', 'ok'],
      ['vacuum', 'ok'],
    ]);
    expect(check(json, 'schema').detail).toMatch(/^up to date \(\d+ migration\(s\), latest migration of /);
    expect(json.facts.applied!.latest).toEqual(json.facts.shipped.latest);

    const text = await runCli(args());
    expect(text.stdout).toContain(`Doctor: project ${PROJECT}`);
    expect(text.stdout).toMatch(/✓ integrity +quick_check: ok/);
    expect(text.stdout).toContain('Healthy.');
  });

  it('warns, with advice, about loose file modes and maintenance that never ran (exit 0)', async () => {
    openStore(tmp.path, PROJECT, { autoMaintenance: false }).close();
    fs.chmodSync(dbPath(), 0o644);
    fs.chmodSync(tmp.path, 0o755);
    const { code, json } = await doctorJson();
    expect(code).toBe(0);
    expect(check(json, 'file modes')).toEqual({
      name: 'file modes',
      status: 'warn',
      detail: expect.stringContaining('folder is 0755, expected 0700; file is 0644, expected 0600'),
      advice: expect.stringContaining('chmod 700'),
    });
    expect(check(json, 'maintenance')).toEqual(
      expect.objectContaining({
        status: 'warn',
        detail: 'never ran',
        advice: expect.stringContaining('cidx-progress maintain'),
      }),
    );
    const text = await runCli(args());
    expect(text.stdout).toMatch(/Healthy, with \d warning\(s\)\./);
    expect(text.stdout).toContain('→ the files hold repository paths');
  });

  it('fails (exit 4) on a file that is not a database, and says what the store will do', async () => {
    fs.mkdirSync(tmp.path, { recursive: true });
    fs.writeFileSync(dbPath(), 'this is not a database'.repeat(100), { mode: 0o600 });
    fs.chmodSync(tmp.path, 0o700);
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(json.ok).toBe(false);
    expect(check(json, 'integrity')).toEqual(
      expect.objectContaining({ status: 'fail', detail: expect.stringContaining('SQLITE_NOTADB') }),
    );
    expect(check(json, 'integrity').advice).toContain(`${PROJECT}.db.corrupt-<time>`);
    expect(check(json, 'schema').status).toBe('warn');
    const text = await runCli(args());
    expect(text.code).toBe(4);
    expect(text.stdout).toContain('Problems found');
    // Doctor only looks: the damaged file is still where it was.
    expect(fs.readFileSync(dbPath(), 'utf8')).toMatch(/^this is not a database/);
  });

  it('fails (exit 4) on damaged pages that only quick_check finds', async () => {
    seedInterrupted(tmp.path);
    flipBytesInPage(dbPath(), 'sync_history');
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(check(json, 'integrity')).toEqual(
      expect.objectContaining({
        status: 'fail',
        detail: expect.stringMatching(/^quick_check found damage: /),
      }),
    );
  });

  it('fails on a schema newer than this version, warns on one behind', async () => {
    openStore(tmp.path).close();
    const shipped = inspectStore(dbPath()).shipped.latest!;
    sql(
      'INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)',
      'f'.repeat(64),
      shipped.createdAt + 1000,
    );
    let { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(check(json, 'schema')).toEqual(
      expect.objectContaining({ status: 'fail', advice: expect.stringContaining('upgrade cidx-progress') }),
    );

    // One behind: the latest migration's record gone and what it did undone.
    sql('DELETE FROM "__drizzle_migrations" WHERE created_at >= ?', shipped.createdAt);
    for (const statement of UNDO_LATEST_MIGRATION) sql(statement);
    ({ code, json } = await doctorJson());
    expect(code).toBe(0);
    expect(check(json, 'schema')).toEqual(
      expect.objectContaining({
        status: 'warn',
        detail: '1 migration(s) behind this version',
        advice: expect.stringContaining('drizzle-kit migrate'),
      }),
    );
  });

  it('fails when the latest applied migration differs from the shipped one, and names the fix', async () => {
    openStore(tmp.path).close();
    sql(
      'UPDATE "__drizzle_migrations" SET hash = ? WHERE created_at = (SELECT max(created_at) FROM "__drizzle_migrations")',
      '0'.repeat(64),
    );
    const { json } = await doctorJson();
    expect(check(json, 'schema')).toEqual(
      expect.objectContaining({
        status: 'fail',
        detail: expect.stringMatching(/recorded with a hash that is not the shipped one/),
        advice: expect.stringContaining('cidx-progress doctor --repair'),
      }),
    );
  });

  it('fails on a migrations table with nothing in it', async () => {
    openStore(tmp.path).close();
    sql('DELETE FROM "__drizzle_migrations"');
    const { json } = await doctorJson();
    expect(json.facts.applied).toEqual({ count: 0, latest: null });
    expect(check(json, 'schema').status).toBe('fail');
  });

  it('fails on a database that was never migrated', async () => {
    fs.mkdirSync(tmp.path, { recursive: true, mode: 0o700 });
    sql('CREATE TABLE something_else (x)');
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(check(json, 'schema')).toEqual(
      expect.objectContaining({ status: 'fail', detail: expect.stringContaining('no migrations recorded') }),
    );
  });

  it('measures size against the budget given with --budget', async () => {
    seedInterrupted(tmp.path);
    const { json } = await doctorJson('--budget', '1');
    expect(check(json, 'size').status).toBe('ok');
    const facts = inspectStore(dbPath());
    const near = diagnose(facts, {
      now: Date.now(),
      budgetBytes: Math.ceil((facts.fileBytes + facts.walBytes) / 0.9),
    });
    expect(near.find((c) => c.name === 'size')).toEqual(
      expect.objectContaining({ status: 'warn', detail: expect.stringMatching(/^close to the budget/) }),
    );
    const over = diagnose(facts, { now: Date.now(), budgetBytes: 1024 });
    expect(over.find((c) => c.name === 'size')).toEqual(
      expect.objectContaining({
        status: 'warn',
        detail: expect.stringMatching(/^over budget/),
        advice: expect.stringContaining('maintain'),
      }),
    );
    expect((await runCli(args('--budget', '0'))).code).toBe(2);
  });

  it('does not call maintenance recorded in the future done: the store finds it due (a clock set back, a hand edit)', async () => {
    openStore(tmp.path).close();
    const now = Date.now();
    const facts = { ...inspectStore(dbPath()), lastMaintenanceAt: 8e15, lastVacuumAt: now + 10 * DAY };
    const checks = diagnose(facts, { now, budgetBytes: 50 * 1024 * 1024 });
    expect(checks.find((c) => c.name === 'maintenance')).toEqual(
      expect.objectContaining({
        status: 'warn',
        detail: expect.stringMatching(/^recorded in the future \(255479-\d\d-\d\d /),
        advice: expect.stringContaining('cidx-progress maintain'),
      }),
    );
    expect(checks.find((c) => c.name === 'vacuum')!.detail).toMatch(
      /^last full VACUUM recorded in the future/,
    );
  });

  it('reports maintenance over a day old, and the last vacuum', async () => {
    openStore(tmp.path).close();
    const facts = {
      ...inspectStore(dbPath()),
      lastMaintenanceAt: Date.now() - 3 * DAY,
      lastVacuumAt: Date.now() - 10 * DAY,
    };
    const checks = diagnose(facts, { now: Date.now(), budgetBytes: 50 * 1024 * 1024 });
    expect(checks.find((c) => c.name === 'maintenance')).toEqual(
      expect.objectContaining({ status: 'warn', detail: expect.stringMatching(/^last ran 3 days ago/) }),
    );
    expect(checks.find((c) => c.name === 'vacuum')).toEqual(
      expect.objectContaining({
        status: 'ok',
        detail: expect.stringMatching(/^last full VACUUM 10 days ago/),
      }),
    );
  });
});

describe('cidx-progress doctor: damaged rows, repair, and looking without leaving files', () => {
  it('a maintenance or vacuum time hand-edited to text is a damaged row, not a crash (exit 4, every check shown)', async () => {
    seedInterrupted(tmp.path);
    handEdit(
      dbPath(),
      "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('last_maintenance_at', 'soon')",
    );
    handEdit(dbPath(), "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('last_vacuum_at', x'00')");
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(json.facts.damagedRows!.rows.map((r) => [r.table, r.key, r.column])).toEqual([
      ['store_meta', 'key=last_maintenance_at', 'value'],
      ['store_meta', 'key=last_vacuum_at', 'value'],
    ]);
    // A time that does not read back is not known: neither a date nor a crash.
    expect(check(json, 'maintenance')).toEqual(
      expect.objectContaining({
        status: 'warn',
        detail: 'not known: its store_meta row is damaged (see rows)',
      }),
    );
    expect(check(json, 'vacuum').detail).toBe('not known: its store_meta row is damaged (see rows)');
    const text = await runCli(args());
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/✗ rows +2 damaged row\(s\)/);

    expect((await runCli(args('--repair'))).code).toBe(0);
    expect((await doctorJson()).json.facts.damagedRows!.count).toBe(0);
  });

  it('lists damaged rows (table, key, column, why) and fails (exit 4), changing nothing', async () => {
    const interrupted = seedInterrupted(tmp.path);
    seedCompleted(tmp.path);
    handEdit(dbPath(), `UPDATE sync_history SET phases = '{oops' WHERE job_id = ?`, {}, interrupted);
    handEdit(dbPath(), `UPDATE checkpoints SET files_pending = -5`, { ignoreChecks: true });
    const before = fs.readFileSync(dbPath());
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(check(json, 'integrity').status).toBe('ok');
    expect(check(json, 'rows')).toEqual(
      expect.objectContaining({
        status: 'fail',
        advice: expect.stringContaining('cidx-progress doctor --repair'),
      }),
    );
    expect(json.facts.damagedRows).toEqual({
      count: 2,
      rows: [
        {
          table: 'sync_history',
          key: `job_id=${interrupted}`,
          column: 'phases',
          why: expect.stringMatching(/^is not valid JSON/),
          rowid: expect.any(Number),
        },
        {
          table: 'checkpoints',
          key: `job_id=${interrupted}`,
          column: 'files_pending',
          why: expect.stringContaining('>=0'),
          rowid: expect.any(Number),
        },
      ],
    });
    expect((await runCli(args())).stdout).toMatch(
      /✗ rows +2 damaged row\(s\), passed over by every read: sync_history job_id=\S+: phases is not valid JSON/,
    );
    expect(fs.readFileSync(dbPath()).equals(before)).toBe(true);
  });

  it('--repair deletes damaged rows, archiving a damaged sync first, and keeps the good ones', async () => {
    const interrupted = seedInterrupted(tmp.path);
    const completed = seedCompleted(tmp.path);
    handEdit(
      dbPath(),
      `UPDATE sync_history SET status = 'bogus' WHERE job_id = ?`,
      { ignoreChecks: true },
      interrupted,
    );
    const { code, json } = await doctorJson('--repair');
    expect(json.repair).toEqual({
      migrationRecords: [],
      removedRows: [
        expect.objectContaining({ table: 'sync_history', key: `job_id=${interrupted}`, column: 'status' }),
      ],
      archivedSyncs: 1,
      // The damaged sync's figures went with it: nothing else to put right.
      figures: { removed: 0, recorded: 0 },
    });
    expect(check(json, 'rows').status).toBe('ok');
    expect(code).toBe(0);
    const db = new BetterSqlite3(dbPath(), { readonly: true });
    try {
      expect(db.prepare('SELECT job_id FROM sync_history').pluck().all()).toEqual([completed]);
      expect(db.prepare('SELECT count(*) FROM checkpoints').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM checkpoint_files').pluck().get()).toBe(0);
      expect(
        db.prepare('SELECT count(*) FROM progress_updates WHERE job_id = ?').pluck().get(interrupted),
      ).toBe(0);
    } finally {
      db.close();
    }
    const archiveDir = tmp.join(`${PROJECT}.archive`);
    expect(listDir(archiveDir)).toEqual(['damaged']);
    const [damagedFile] = listDir(`${archiveDir}/damaged`);
    const archived = gunzipSync(fs.readFileSync(`${archiveDir}/damaged/${damagedFile}`))
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(archived).toEqual([expect.objectContaining({ jobId: interrupted, status: 'bogus' })]);
  });

  it('reports damaged and missing sync_figures rows (how many, what is wrong, never the value), reading only; --repair records them again', async () => {
    seedCompleted(tmp.path);
    seedCompleted(tmp.path);
    seedCompleted(tmp.path);
    sql(
      `UPDATE sync_figures SET figures = 'secret-value' WHERE sync_id = (SELECT MAX(sync_id) FROM sync_figures)`,
    );
    sql(`DELETE FROM sync_figures WHERE sync_id = (SELECT MIN(sync_id) FROM sync_figures)`);
    const before = fs.readFileSync(dbPath());
    const { code, json } = await doctorJson();
    expect(code).toBe(0);
    expect(check(json, 'figures')).toEqual({
      name: 'figures',
      status: 'warn',
      detail:
        '1 sync_figures row(s) not as the recorder writes them (1: figures not as many as its phase names), ' +
        '1 completed sync(s) without one: the history report computes their windows from sync_history, about twice as slow',
      advice: expect.stringContaining('cidx-progress doctor --repair'),
    });
    expect(json.facts.syncFigures).toEqual({
      bad: 1,
      why: [{ why: 'figures not as many as its phase names', rows: 1 }],
      missing: 1,
    });
    const text = await runCli(args());
    expect(text.stdout).toMatch(/! figures +1 sync_figures row\(s\) not as the recorder writes them/);
    expect(text.stdout + text.stderr).not.toContain('secret-value');
    expect(fs.readFileSync(dbPath()).equals(before)).toBe(true);

    const repaired = await doctorJson('--repair');
    expect(repaired.json.repair).toEqual(
      expect.objectContaining({ removedRows: [], figures: { removed: 1, recorded: 2 } }),
    );
    expect(check(repaired.json, 'figures')).toEqual(expect.objectContaining({ status: 'ok', advice: null }));
    expect((await runCli(args('--repair'))).stdout).toContain(
      'Repaired: removed 0 damaged row(s); sync_figures: 0 row(s) removed, 0 recorded again.',
    );
  });

  it('--repair moves a file with a damaged header aside and leaves a healthy store', async () => {
    seedInterrupted(tmp.path);
    overwriteHeader(dbPath());
    const result = await runCli(args('--repair'));
    expect(result.stderr).toMatch(/damaged and has been replaced/);
    expect(result.code).toBe(0);
    expect(listDir(tmp.path).filter((n) => /\.corrupt-\d+$/.test(n))).toHaveLength(1);
  });

  it('on a truncated file, reports it and leaves no new file behind', async () => {
    seedInterrupted(tmp.path);
    truncateFile(dbPath());
    const files = listDir(tmp.path);
    const before = fs.readFileSync(dbPath());
    const { code, json } = await doctorJson();
    expect(code).toBe(4);
    expect(check(json, 'integrity').status).toBe('fail');
    expect(listDir(tmp.path)).toEqual(files);
    expect(fs.readFileSync(dbPath()).equals(before)).toBe(true);
  });

  it('says how many more damaged rows there are past the listed ones, and does not check rows it cannot read', () => {
    openStore(tmp.path).close();
    const facts = inspectStore(dbPath());
    const one = {
      table: 'progress_updates' as const,
      key: 'id=1',
      column: 'rate',
      why: 'Too small',
      rowid: 1,
    };
    const many = diagnose(
      { ...facts, damagedRows: { count: 25, rows: [one] } },
      { now: Date.now(), budgetBytes: 50e6 },
    );
    expect(many.find((c) => c.name === 'rows')!.detail).toMatch(
      /^25 damaged row\(s\).*progress_updates id=1: rate Too small; and 24 more$/,
    );
    const unreadable = diagnose(
      { ...facts, openError: 'SQLITE_NOTADB: file is not a database' },
      { now: Date.now(), budgetBytes: 50e6 },
    );
    expect(unreadable.find((c) => c.name === 'rows')).toEqual(
      expect.objectContaining({ status: 'warn', detail: 'not checked: the file cannot be read' }),
    );
    expect(unreadable.find((c) => c.name === 'figures')).toEqual(
      expect.objectContaining({ status: 'warn', detail: 'not checked: the file was not read' }),
    );
    const missingOnly = diagnose(
      { ...facts, syncFigures: { bad: 0, why: [], missing: 3 } },
      { now: Date.now(), budgetBytes: 50e6 },
    );
    expect(missingOnly.find((c) => c.name === 'figures')!.detail).toMatch(
      /^3 completed sync\(s\) without a sync_figures row: the history report computes/,
    );
  });
});
