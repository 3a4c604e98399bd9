import fs from 'node:fs';
import { overwriteHeader } from '../support/damage';
import { handEdit } from '../support/hand-edit';
import { listDir, useTempDir } from '../support/temp-dir';
import { renderStatus, type StatusJson } from '../../src/cli/commands/status';
import { DEMO_PHASES } from '../../src/cli/demo/simulated-sync';
import { Output } from '../../src/cli/output';
import { ANSI, cliEnv, fakeIo, openStore, PROJECT, runCli, seedFiles, seedInterrupted } from './helpers';

const tmp = useTempDir('cidx-cli-status-');
const args = (...extra: string[]) => ['status', '--project', PROJECT, '--dir', tmp.path, ...extra];

describe('cidx-progress status', () => {
  it('exits 3 when the project has no store file, and creates none', async () => {
    const result = await runCli(args());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`no progress store for project ${PROJECT}`);
    expect(result.stdout).toBe('');
    expect(fs.readdirSync(tmp.path)).toEqual([]);

    const json = await runCli(args('--json'));
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringContaining(tmp.path) },
    });
  });

  it('says so when nothing is running or incomplete', async () => {
    openStore(tmp.path).close();
    const result = await runCli(args());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Project ${PROJECT}`);
    expect(result.stdout).toContain('No running or incomplete syncs.');
    const json = JSON.parse((await runCli(args('--json'))).stdout) as StatusJson;
    expect(json).toEqual({
      project: PROJECT,
      store: expect.stringMatching(/acme-api\.db$/),
      now: expect.any(Number),
      syncs: [],
      resumable: null,
      damaged: [],
    });
  });

  it('shows an interrupted sync with its progress, age and the resume offer', async () => {
    const jobId = seedInterrupted(tmp.path, 40);
    const result = await runCli(args());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Incomplete:');
    expect(result.stdout).toMatch(
      new RegExp(
        `${jobId.slice(0, 8)} {2}interrupted at 40% in Indexing Files {2}8/20 files {2}started just now`,
      ),
    );
    expect(result.stdout).toContain('offered for resume');
    expect(result.stdout).not.toMatch(ANSI);

    const json = JSON.parse((await runCli(args('--json'))).stdout) as StatusJson;
    expect(json.syncs).toEqual([
      expect.objectContaining({
        jobId,
        state: 'interrupted',
        alive: false,
        phase: 'Indexing Files',
        progress: 40,
        filesProcessed: 8,
        totalFiles: 20,
        owner: null,
        hasCheckpoint: true,
        offeredForResume: true,
      }),
    ]);
    expect(json.syncs[0]!.ageMs).toBeGreaterThanOrEqual(0);
    expect(json.resumable).toEqual(expect.objectContaining({ jobId, canResume: true, progress: 40 }));
  });

  it('shows a sync running in a live process as running, with its owner', async () => {
    const store = openStore(tmp.path);
    const sync = store.recording.startSync({ files: seedFiles(4), phases: DEMO_PHASES });
    sync.update({
      phase: 'Git Fetch',
      percent: 7,
      phasePercent: 50,
      filesProcessed: 0,
      totalFiles: 4,
      rate: 0,
    });
    sync.flush();
    try {
      const result = await runCli(args());
      expect(result.stdout).toContain('Running:');
      expect(result.stdout).toMatch(
        new RegExp(
          `${sync.jobId.slice(0, 8)} {2}Git Fetch 7% {2}0/4 files {2}running for \\d+s, last activity just now, pid ${process.pid}`,
        ),
      );
      const json = JSON.parse((await runCli(args('--json'))).stdout) as StatusJson;
      expect(json.syncs).toEqual([
        expect.objectContaining({
          jobId: sync.jobId,
          state: 'running',
          alive: true,
          owner: { pid: process.pid, host: expect.any(String) },
          offeredForResume: false,
        }),
      ]);
      expect(json.resumable).toBeNull();
    } finally {
      store.close();
    }
  });

  it('lists a failed sync that kept its checkpoint as failed', async () => {
    const store = openStore(tmp.path);
    const sync = store.recording.startSync({ files: seedFiles(4), phases: DEMO_PHASES });
    sync.fail({ message: 'network timeout', code: 'ETIMEDOUT' });
    store.close();
    const json = JSON.parse((await runCli(args('--json'))).stdout) as StatusJson;
    expect(json.syncs).toEqual([
      expect.objectContaining({
        jobId: sync.jobId,
        state: 'failed',
        alive: false,
        owner: null,
        hasCheckpoint: true,
      }),
    ]);
    expect((await runCli(args())).stdout).toContain(
      `${sync.jobId.slice(0, 8)}  failed at 0% in Initializing`,
    );
  });

  it('on a file with a damaged header: leaves it byte-identical and in place, exits 7 and names the fix', async () => {
    seedInterrupted(tmp.path);
    const dbPath = tmp.join(`${PROJECT}.db`);
    overwriteHeader(dbPath);
    const before = fs.readFileSync(dbPath);
    const files = listDir(tmp.path);
    const result = await runCli(args('--json'));
    expect(result.code).toBe(8);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'NEEDS_REPAIR', message: expect.stringContaining('cidx-progress doctor --repair') },
    });
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
    expect(listDir(tmp.path)).toEqual(files);
    const text = await runCli(args());
    expect(text.code).toBe(8);
    expect(text.stderr).toMatch(/damaged.*nothing was changed/);
  });

  it('on a file that is not migrated yet: changes nothing, exits 7 and names the fix', async () => {
    fs.mkdirSync(tmp.path, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp.join(`${PROJECT}.db`), '', { mode: 0o600 });
    const result = await runCli(args());
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(
      /not been migrated yet; nothing was changed\. Run `cidx-progress doctor --repair`/,
    );
    expect(listDir(tmp.path)).toEqual([`${PROJECT}.db`]);
    expect(fs.statSync(tmp.join(`${PROJECT}.db`)).size).toBe(0);
  });

  it('reads without writing: no migration, no maintenance, no file left behind', async () => {
    seedInterrupted(tmp.path);
    const dbPath = tmp.join(`${PROJECT}.db`);
    const before = fs.readFileSync(dbPath);
    const files = listDir(tmp.path);
    for (const command of [
      args(),
      ['history', '--project', PROJECT, '--dir', tmp.path],
      ['resume', '--choice', 'c', '--project', PROJECT, '--dir', tmp.path],
    ]) {
      await runCli(command);
      expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
      expect(listDir(tmp.path)).toEqual(files);
    }
  });

  it('does not exit 1 over one damaged row: it is passed over, with a warning', async () => {
    const jobId = seedInterrupted(tmp.path);
    handEdit(
      tmp.join(`${PROJECT}.db`),
      `UPDATE sync_history SET phases = '{oops' WHERE job_id = ?`,
      {},
      jobId,
    );
    const result = await runCli(args('--json'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: sync_history row job_id=\S+ is damaged: phases is not valid JSON/,
    );
    const json = JSON.parse(result.stdout) as StatusJson;
    expect(json.syncs).toEqual([]);
    expect(json.resumable).toMatchObject({ jobId, canResume: false });
  });

  it('says that the latest sync is damaged, in text and in --json, instead of "no syncs"', async () => {
    const jobId = seedInterrupted(tmp.path);
    handEdit(
      tmp.join(`${PROJECT}.db`),
      `UPDATE sync_history SET phases = '{oops' WHERE job_id = ?`,
      {},
      jobId,
    );
    const text = await runCli(args());
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('No running or incomplete syncs');
    expect(text.stdout).toContain('Damaged:');
    expect(text.stdout).toContain(`sync_history job_id=${jobId}: phases is not valid JSON`);
    expect(text.stdout).toContain('cidx-progress doctor --repair');

    const json = JSON.parse((await runCli(args('--json'))).stdout) as StatusJson;
    expect(json.damaged).toEqual([
      {
        table: 'sync_history',
        key: `job_id=${jobId}`,
        column: 'phases',
        why: expect.stringMatching(/^is not valid JSON/),
      },
    ]);
    // A file without damage says so with an empty list.
    seedInterrupted(tmp.path, 40, 'other-project');
    const clean = await runCli(['status', '--project', 'other-project', '--dir', tmp.path, '--json']);
    expect((JSON.parse(clean.stdout) as StatusJson).damaged).toEqual([]);
  });

  it('colours only for a terminal without NO_COLOR', async () => {
    seedInterrupted(tmp.path);
    expect((await runCli(args(), { tty: true })).stdout).toMatch(ANSI);
    expect((await runCli(args(), { tty: true, env: cliEnv({ NO_COLOR: '1' }) })).stdout).not.toMatch(ANSI);
    expect((await runCli(args(), { tty: true, env: cliEnv({ TERM: 'dumb' }) })).stdout).not.toMatch(ANSI);
    expect((await runCli(args('--json'), { tty: true })).stdout).not.toMatch(ANSI);
  });

  it('rejects a bad project id as a usage error', async () => {
    const result = await runCli(['status', '--project', '../etc', '--dir', tmp.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid project id');
  });
});

describe('renderStatus', () => {
  it('copes with what a row may lack: no owner host, no phase', () => {
    const io = fakeIo();
    const base = {
      progress: 10,
      filesProcessed: 1,
      totalFiles: 2,
      startedAt: 0,
      lastActivityAt: 0,
      ageMs: 1000,
      idleMs: 0,
      hasCheckpoint: true,
      resumedFromJobId: null,
      offeredForResume: false,
    };
    renderStatus(
      {
        project: 'p',
        store: '/x/p.db',
        now: 0,
        resumable: null,
        damaged: [],
        syncs: [
          {
            ...base,
            jobId: 'running-1',
            state: 'running',
            alive: true,
            phase: null,
            owner: { pid: 7, host: null },
          },
          { ...base, jobId: 'running-2', state: 'running', alive: true, phase: 'Git Fetch', owner: null },
          { ...base, jobId: 'failed-1', state: 'failed', alive: false, phase: null, owner: null },
        ],
      },
      new Output(io),
    );
    expect(io.stdout.text).toContain(
      'running-  - 10%  1/2 files  running for 1s, last activity just now, pid 7 on unknown host',
    );
    expect(io.stdout.text).toContain(
      'running-  Git Fetch 10%  1/2 files  running for 1s, last activity just now\n',
    );
    expect(io.stdout.text).toContain('failed-1  failed at 10% in -  1/2 files');
  });
});
