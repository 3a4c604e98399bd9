import type { ResumeJson } from '../../src/cli/commands/resume';
import { parseChoiceOption } from '../../src/cli/commands/resume';
import { useTempDir } from '../support/temp-dir';
import { openStore, PROJECT, runCli, seedCompleted, seedInterrupted } from './helpers';

const tmp = useTempDir('cidx-cli-resume-');
const args = (...extra: string[]) => ['resume', '--project', PROJECT, '--dir', tmp.path, ...extra];

/** What checkResumable offers now, read through the public API. */
function offered(): string | null {
  const store = openStore(tmp.path);
  try {
    return store.resume.checkResumable()?.jobId ?? null;
  } finally {
    store.close();
  }
}

describe('cidx-progress resume', () => {
  it('exits 3 when there is nothing to resume', async () => {
    seedCompleted(tmp.path);
    const result = await runCli(args());
    expect(result.code).toBe(3);
    expect(result.stdout).toBe(`No incomplete sync to resume for project ${PROJECT}.\n`);
    const json = JSON.parse((await runCli(args('--json'))).stdout) as ResumeJson;
    expect(json).toEqual({
      project: PROJECT,
      store: expect.any(String),
      resumable: null,
      choice: null,
      action: 'none',
    });
  });

  it('exits 3 when the project has no store at all', async () => {
    expect((await runCli(args('--choice', 'r'))).code).toBe(3);
  });

  it('--choice r keeps the checkpoint for the next sync', async () => {
    const jobId = seedInterrupted(tmp.path, 40);
    const result = await runCli(args('--choice', 'r'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('📎 Incomplete sync detected!');
    expect(result.stdout).toContain('Previous sync was 40% complete when interrupted just now');
    expect(result.stdout).toContain('Choice: resume (--choice)');
    expect(result.stdout).toContain(
      `Kept the checkpoint: the next sync of ${PROJECT} resumes at 40% (Indexing Files, 12 files to go).`,
    );
    expect(offered()).toBe(jobId);
  });

  it('--choice s clears the checkpoint: nothing is offered afterwards', async () => {
    seedInterrupted(tmp.path);
    const result = await runCli(args('--choice', 's', '--json'));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as ResumeJson;
    expect(json).toEqual(
      expect.objectContaining({
        choice: 'fresh',
        action: 'cleared',
        resumable: expect.objectContaining({ progress: 40 }),
      }),
    );
    expect(offered()).toBeNull();
  });

  it('--choice v shows the details and changes nothing', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runCli(args('--choice', 'v'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sync details:');
    expect(result.stdout).toContain(`Job: ${jobId}`);
    expect(result.stdout).not.toContain('Choice:');
    expect(offered()).toBe(jobId);
  });

  it('--choice c cancels with exit 5 and changes nothing', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runCli(args('--choice', 'cancel'));
    expect(result.code).toBe(5);
    expect(result.stdout).toContain('Cancelled: nothing was changed.');
    expect(offered()).toBe(jobId);
  });

  it('rejects an unknown --choice as a usage error', async () => {
    const result = await runCli(args('--choice', 'x'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected r (resume), s (start fresh), v (view details) or c (cancel)');
    expect(() => parseChoiceOption('maybe')).toThrow();
    expect(parseChoiceOption(' S ')).toBe('fresh');
  });

  it('never waits on a stdin that is not a terminal: it answers resume without reading', async () => {
    const jobId = seedInterrupted(tmp.path);
    // The input would say "start fresh" if it were read.
    const result = await runCli(args(), { input: ['s'] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Choice: resume (not a terminal)');
    expect(offered()).toBe(jobId);
  });

  it('--read-stdin reads answers piped in: view details, then start fresh', async () => {
    seedInterrupted(tmp.path);
    const result = await runCli(args('--read-stdin'), { input: ['v', 'what', 's'] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Sync details:');
    expect(result.stdout).toContain('Please answer R, S, V or C.');
    expect(result.stdout).toContain('Cleared the checkpoint');
    expect(offered()).toBeNull();
  });

  it('--read-stdin: an answer it does not understand asks again; the input ending then cancels (exit 5), changing nothing', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runCli(args('--read-stdin'), { input: ['zzz'] });
    expect(result.code).toBe(5);
    expect(result.stdout).toContain('Please answer R, S, V or C.');
    expect(result.stdout).toContain('(end of input: cancelled)');
    expect(result.stdout).toContain('Cancelled: nothing was changed.');
    expect(offered()).toBe(jobId);
    const json = await runCli(args('--read-stdin', '--json'), { input: [] });
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toEqual(expect.objectContaining({ choice: 'cancel', action: 'none' }));
    expect(offered()).toBe(jobId);
  });

  it('asks a person at a terminal, and Enter takes the recommendation', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runCli(args(), { stdinTty: true, tty: true, input: [''] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[R]esume from checkpoint (recommended)');
    expect(result.stdout).toContain('Kept the checkpoint');
    expect(offered()).toBe(jobId);
  });

  it('under --json the prompt goes to stderr and stdout is one JSON document', async () => {
    seedInterrupted(tmp.path);
    const result = await runCli(args('--json', '--read-stdin'), { input: ['c'] });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('📎 Incomplete sync detected!');
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ choice: 'cancel', action: 'none' }));
  });

  it('refuses --choice r when the checkpoint cannot be used', async () => {
    const store = openStore(tmp.path);
    const sync = store.recording.startSync({ phases: [{ name: 'Only', weight: 1 }] });
    sync.fail('boom');
    // A failed sync whose checkpoint is damaged cannot be resumed, only started over.
    const BetterSqlite3 = require('better-sqlite3');
    const db = new BetterSqlite3(store.path);
    db.prepare('UPDATE checkpoints SET metadata = ? WHERE job_id = ?').run('{"broken":', sync.jobId);
    db.close();
    store.close();
    const result = await runCli(args('--choice', 'r', '--json'));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'ERROR', message: expect.stringContaining('choose s to start fresh') },
    });
  });
});
