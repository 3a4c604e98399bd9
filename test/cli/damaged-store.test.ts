import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { ResumeJson } from '../../src/cli/commands/resume';
import { overwriteHeader } from '../support/damage';
import { handEdit } from '../support/hand-edit';
import { SHIPPED_MIGRATIONS } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';
import { PROJECT, runCli, seedCompleted, seedInterrupted } from './helpers';

/** The reading commands over a damaged store or row: they report, change nothing, and the writing choice still works. */
const tmp = useTempDir('cidx-cli-damaged-');
const store = (...extra: string[]) => ['--project', PROJECT, '--dir', tmp.path, ...extra];
const dbPath = () => tmp.join(`${PROJECT}.db`);

describe('reading commands over damage', () => {
  it('history on a damaged header exits 7, changing nothing', async () => {
    seedCompleted(tmp.path);
    overwriteHeader(dbPath());
    const before = fs.readFileSync(dbPath());
    const result = await runCli(['history', ...store('--json')]);
    expect(result.code).toBe(8);
    expect(JSON.parse(result.stdout).error.code).toBe('NEEDS_REPAIR');
    expect(fs.readFileSync(dbPath()).equals(before)).toBe(true);
    expect(listDir(tmp.path)).toEqual([`${PROJECT}.db`]);
  });

  it('status on a schema newer than this version is a store error (exit 1), not a repair', async () => {
    seedCompleted(tmp.path);
    const db = new BetterSqlite3(dbPath());
    db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(
      'f'.repeat(64),
      SHIPPED_MIGRATIONS.at(-1)!.folderMillis + 1000,
    );
    db.close();
    const result = await runCli(['status', ...store('--json')]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('SCHEMA_TOO_NEW');
  });

  it('resume offers a damaged latest sync as not resumable, and Start fresh settles it', async () => {
    const jobId = seedInterrupted(tmp.path);
    handEdit(
      dbPath(),
      `UPDATE sync_history SET status = 'bogus' WHERE job_id = ?`,
      { ignoreChecks: true },
      jobId,
    );
    const looked = await runCli(['resume', ...store('--json', '--choice', 'r')]);
    expect(looked.code).toBe(1);
    const cleared = await runCli(['resume', ...store('--json', '--choice', 's')]);
    expect(cleared.code).toBe(0);
    const json = JSON.parse(cleared.stdout) as ResumeJson;
    expect(json).toMatchObject({
      resumable: { jobId, canResume: false, reason: expect.stringContaining('status') },
      action: 'cleared',
    });
    expect((await runCli(['resume', ...store()])).code).toBe(3);
  });
});
