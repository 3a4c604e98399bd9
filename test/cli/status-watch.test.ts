import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { closeConnection } from '../../src/db/connection';
import { openWatchConnection } from '../../src/db/open-read-only';
import { SyncFollower, timeLeft, type WatchSample, watchedStatus } from '../../src/cli/watch/sync-follower';
import { endText, paceText } from '../../src/cli/watch/watch-view';
import { run } from '../../src/cli/main';
import { childScript, startChild } from '../support/child-process';
import { plainText, runOnTerminal } from '../support/pty';
import { useTempDir } from '../support/temp-dir';
import { CLI_CHILD, cliEnv, fakeIo, openStore, PROJECT, runCli, seedInterrupted } from './helpers';

/**
 * `cidx-progress status --watch` following a sync that a real second process records
 * with the real clock: piped, --json, on a pseudo terminal, and each way a sync can end.
 */
const tmp = useTempDir('cidx-cli-watch-');
const watchArgs = (...extra: string[]) => [
  'status',
  '--watch',
  '--interval',
  '150',
  '--project',
  PROJECT,
  '--dir',
  tmp.path,
  ...extra,
];

type End = 'completed' | 'failed' | 'cancelled' | 'killed' | 'released' | 'never';

/**
 * A second process recording a sync of about `durationMs`, ended as `end` says; resolves
 * once it is running. It stays at 0% until `go()` (or a pty step touching `goFile`), so
 * the watcher, however slowly it starts on a loaded machine, sees the sync move.
 */
async function startRecorder(end: End, durationMs = 1500) {
  const goFile = tmp.join(`go-${end}-${Date.now()}`);
  const child = startChild(childScript('record-timed-sync.js'), [
    tmp.path,
    PROJECT,
    String(durationMs),
    end,
    goFile,
  ]);
  const started = await child.waitForLine(/^started /);
  return { child, jobId: started.split(' ')[1]!, goFile, go: () => fs.writeFileSync(goFile, '') };
}

/** Watch in this process: the recorder is let go once the watcher has shown its first output. */
async function watchInProcess(
  recorder: { go(): void },
  argv: string[],
  options: Parameters<typeof fakeIo>[0] = {},
) {
  const io = fakeIo(options);
  const exited = run(argv, io);
  await until(() => io.stdout.text, /Following sync|"type":"progress"/);
  recorder.go();
  const code = await exited;
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

type JsonLine =
  | (WatchSample & { type: 'progress' | 'end'; exitCode?: number })
  | { type: 'stopped'; jobId: string; exitCode: number };
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JsonLine);

/** Resolves once `read()` matches, polling. */
async function until(read: () => string, match: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!match.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${match} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('status --watch, piped, in a real second process', () => {
  it('prints a line per change while the sync runs, and exits 0 when it completes', async () => {
    const recorder = await startRecorder('completed', 2000);
    const watcher = startChild(CLI_CHILD, watchArgs(), { env: cliEnv() });
    await watcher.waitForLine('Following sync');
    recorder.go();
    const result = await watcher.exited;
    await recorder.child.exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `Following sync ${recorder.jobId.slice(0, 8)} of ${PROJECT} (Ctrl-C stops watching, not the sync).`,
    );
    const progress = lines.filter((line) => /^\s+\d+%/.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(4);
    const percents = progress.map((line) => Number(/(\d+)%/.exec(line)![1]));
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(
      progress.some((line) => /Indexing Files\s+\d+\/200 files {2}40\.0\/s \| \d+s left/.test(line)),
    ).toBe(true);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(`^Sync ${recorder.jobId.slice(0, 8)} completed in \\d+s \\(200/200 files\\)\\.$`),
    );
    // eslint-disable-next-line no-control-regex -- no terminal escape (ESC [) may reach a pipe
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('--json: one JSON object per line, the last one the end', async () => {
    const recorder = await startRecorder('completed', 1500);
    const watcher = startChild(CLI_CHILD, watchArgs('--json'), { env: cliEnv() });
    await watcher.waitForLine('"type":"progress"');
    recorder.go();
    const result = await watcher.exited;
    await recorder.child.exited;
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    const last = lines.pop()!;
    expect(last).toEqual(
      expect.objectContaining({
        type: 'end',
        jobId: recorder.jobId,
        status: 'completed',
        percent: 100,
        exitCode: 0,
        timeLeftMs: 0,
      }),
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines)
      expect(line).toEqual(
        expect.objectContaining({ type: 'progress', jobId: recorder.jobId, totalFiles: 200 }),
      );
  });
});

describe('status --watch in this process (the recorder still a real second process)', () => {
  it('--json: progress never goes down; rate and time left once the sync moves', async () => {
    const recorder = await startRecorder('completed', 1500);
    const result = await watchInProcess(recorder, watchArgs('--json'));
    await recorder.child.exited;
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout) as Array<WatchSample & { type: string }>;
    const percents = lines.map((l) => l.percent);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    expect(
      lines.some(
        (l) => l.type === 'progress' && l.rate === 40 && typeof l.timeLeftMs === 'number' && l.timeLeftMs > 0,
      ),
    ).toBe(true);
    expect(lines[0]).toEqual(
      expect.objectContaining({
        status: 'running',
        phase: expect.any(String),
        filesProcessed: expect.any(Number),
        elapsedMs: expect.any(Number),
        at: expect.any(Number),
      }),
    );
  });

  it.each([
    ['failed', 10, 'failed at 60% in Indexing Files'],
    ['cancelled', 5, 'was cancelled at 60% in Indexing Files'],
    ['killed', 6, 'its process ended without finishing it (cidx-progress resume offers it)'],
    ['released', 6, 'was interrupted at 60% in Indexing Files'],
  ] as const)('a sync that ends %s: exit %i', async (end, code, text) => {
    const recorder = await startRecorder(end, 1200);
    const result = await watchInProcess(recorder, watchArgs());
    await recorder.child.exited;
    expect(result.code).toBe(code);
    expect(result.stdout.trim().split('\n').pop()).toContain(text);
    const json = jsonLines((await runCli(watchArgs('--json'))).stdout);
    // Nothing runs any more: the next watch finds nothing.
    expect(json).toEqual([
      { error: { code: 'NOT_RUNNING', message: expect.stringContaining('no sync is running') } },
    ]);
  });

  it.each(['killed', 'completed', 'failed'] as const)(
    '--json: a sync that ends %s is reported once, as the end line; every line before it is running',
    async (end) => {
      const recorder = await startRecorder(end, 1200);
      const result = await watchInProcess(recorder, watchArgs('--json'));
      await recorder.child.exited;
      const lines = jsonLines(result.stdout) as Array<WatchSample & { type: string }>;
      const last = lines.pop()!;
      expect(last.type).toBe('end');
      expect(last.status).not.toBe('running');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      for (const line of lines) expect(line).toMatchObject({ type: 'progress', status: 'running' });
    },
  );

  it('on a terminal: the cli-progress bar with the rate and time left, then how it ended', async () => {
    const recorder = await startRecorder('completed', 1500);
    const result = await watchInProcess(recorder, watchArgs(), {
      tty: true,
      columns: 120,
      env: cliEnv({ TERM: 'xterm-256color' }),
    });
    await recorder.child.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/█+░*/);
    expect(plainText(result.stdout)).toMatch(
      /\d+% \| Indexing Files\s+\| \d+\/200 files \| 40\.0\/s \| \d+s left/,
    );
    expect(plainText(result.stdout)).toMatch(/completed in \d+s \(200\/200 files\)/);
  });

  it.each([false, true])(
    'Ctrl-C stops watching (exit 130) and leaves the sync running (terminal: %s)',
    async (tty) => {
      const recorder = await startRecorder('never', 1000);
      const io = fakeIo({ tty });
      const exited = run(watchArgs(), io);
      await until(() => io.stdout.text, /%/);
      expect(io.interruptHandlers.size).toBe(1);
      io.interrupt();
      expect(await exited).toBe(130);
      expect(plainText(io.stdout.text).trim().split('\n').pop()).toBe('Stopped watching; the sync goes on.');
      expect(io.interruptHandlers.size).toBe(0);
      // Still running: the recorder is untouched.
      const store = openStore(tmp.path);
      expect(store.status.list()).toEqual([
        expect.objectContaining({ jobId: recorder.jobId, state: 'running' }),
      ]);
      store.close();
      recorder.child.process.kill('SIGKILL');
    },
  );

  it('Ctrl-C under --json ends with a stopped line', async () => {
    const recorder = await startRecorder('never', 1000);
    const io = fakeIo();
    const exited = run(watchArgs('--json'), io);
    await until(() => io.stdout.text, /"type":"progress"/);
    io.interrupt();
    io.interrupt(); // a second Ctrl-C while stopping changes nothing
    expect(await exited).toBe(130);
    expect(jsonLines(io.stdout.text).pop()).toEqual({
      type: 'stopped',
      jobId: recorder.jobId,
      exitCode: 130,
    });
    recorder.child.process.kill('SIGKILL');
  });
});

describe('status --watch with nothing to follow', () => {
  it('says no sync is running (exit 3), as a JSON error under --json; a missing store is exit 3 too', async () => {
    seedInterrupted(tmp.path);
    const text = await runCli(watchArgs());
    expect(text.code).toBe(3);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain(`no sync is running for project ${PROJECT}`);
    const json = await runCli(watchArgs('--json'));
    expect(json.code).toBe(3);
    expect(json.stdout.split('\n')).toHaveLength(2); // one line, then the end of output
    expect(JSON.parse(json.stdout).error.code).toBe('NOT_RUNNING');
    const missing = await runCli(['status', '--watch', '--project', 'other', '--dir', tmp.path]);
    expect(missing.code).toBe(3);
  });

  it('opens the store read-only: a file nobody may write is still watched, and left unchanged', async () => {
    seedInterrupted(tmp.path);
    const file = tmp.join(`${PROJECT}.db`);
    const hash = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const before = hash();
    fs.chmodSync(file, 0o400);
    try {
      const result = await runCli(watchArgs());
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('no sync is running');
      expect(hash()).toBe(before);
      expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    } finally {
      fs.chmodSync(file, 0o600);
    }
  });

  it('rejects an interval outside 100-60000 ms as a usage error', async () => {
    expect((await runCli(watchArgs('--interval', '5'))).code).toBe(2);
  });
});

describe('status --watch on a real pseudo terminal', () => {
  const env = () => cliEnv({ TERM: 'xterm-256color' });

  it('draws the bar and exits 0 when the sync completes', async () => {
    const recorder = await startRecorder('completed', 2000);
    const result = await runOnTerminal(
      [process.execPath, CLI_CHILD, ...watchArgs()],
      [{ wait: 'Following sync' }, { touch: recorder.goFile }],
      env(),
    );
    await recorder.child.exited;
    expect(result.error).toBeNull();
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/█/);
    const text = plainText(result.output);
    expect(text).toMatch(/\| \d+\/200 files \| 40\.0\/s \| \d+s left/);
    expect(text).toMatch(/completed in \d+s/);
  });

  it('Ctrl-C stops it with exit 130, no stack trace, the cursor shown again', async () => {
    const recorder = await startRecorder('never', 1000);
    const result = await runOnTerminal(
      [process.execPath, CLI_CHILD, ...watchArgs()],
      [{ wait: '%' }, { send: '\u0003' }],
      env(),
    );
    expect(result.error).toBeNull();
    expect(result.code).toBe(130);
    expect(result.signal).toBeNull();
    expect(result.output).toContain('Stopped watching; the sync goes on.');
    expect(result.output).not.toMatch(/Error|\n\s+at /);
    // cli-progress hid the cursor while drawing; it must be back.
    expect(result.output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(
      result.output.lastIndexOf('\u001b[?25l'),
    );
    recorder.child.process.kill('SIGKILL');
  });
});

describe('the parts of the watch', () => {
  it('a file that cannot be opened read-only is a store error, not a crash', () => {
    expect(() => openWatchConnection(tmp.join('missing.db'))).toThrow(
      expect.objectContaining({ code: 'STORAGE' }),
    );
  });

  it('a sync taken over by a resume, or given up, ended as interrupted; an unknown row too', () => {
    expect(watchedStatus('running', true)).toBe('running');
    expect(watchedStatus('running', false)).toBe('interrupted');
    expect(watchedStatus('resumed', false)).toBe('interrupted');
    expect(watchedStatus('interrupted', false)).toBe('interrupted');
    const jobId = seedInterrupted(tmp.path);
    const connection = openWatchConnection(tmp.join(`${PROJECT}.db`));
    try {
      const follower = new SyncFollower(connection, PROJECT);
      expect(follower.findRunning()).toBeNull();
      expect(follower.sample('no-such-job')).toEqual(
        expect.objectContaining({ status: 'interrupted', phase: null, rate: null }),
      );
      expect(follower.sample(jobId)).toEqual(
        expect.objectContaining({ status: 'interrupted', percent: 40, rate: 4, timeLeftMs: null }),
      );
    } finally {
      closeConnection(connection);
    }
  });

  it('time left is the pace seen so far, and unknown until progress moves', () => {
    expect(timeLeft([])).toBeNull();
    expect(timeLeft([{ at: 0, percent: 10 }])).toBeNull();
    expect(
      timeLeft([
        { at: 0, percent: 10 },
        { at: 1000, percent: 10 },
      ]),
    ).toBeNull();
    expect(
      timeLeft([
        { at: 0, percent: 10 },
        { at: 2000, percent: 20 },
      ]),
    ).toBe(16_000);
  });

  it('texts for people: the pace without a rate, the end without a phase', () => {
    const sample: WatchSample = {
      jobId: 'abcdefgh-1',
      status: 'failed',
      phase: null,
      percent: 0,
      filesProcessed: 0,
      totalFiles: 0,
      rate: null,
      timeLeftMs: null,
      elapsedMs: 1000,
      at: 0,
    };
    expect(paceText(sample)).toBe('time left unknown');
    expect(paceText({ ...sample, rate: 0, timeLeftMs: 65_000 })).toBe('1m 5s left');
    expect(endText(sample)).toBe('Sync abcdefgh failed at 0% in no phase, 0/0 files, after 1s.');
  });
});
