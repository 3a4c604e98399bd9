import { PassThrough } from 'node:stream';
import { promptResume, renderResumeDetails, renderResumePrompt, type ResumeInfo } from '../../src';
import { DateTime } from 'luxon';
import { formatDurationShort, formatDurationWords } from '../../src/presentation/durations';
import { renderRetryHint } from '../../src/presentation/resume-prompt';

const local = (ms: number) => DateTime.fromMillis(ms).toFormat('yyyy-LL-dd HH:mm:ss');

const NOW = Date.UTC(2024, 0, 15, 10, 45, 0);

const info = (overrides: Partial<ResumeInfo> = {}): ResumeInfo => ({
  jobId: 'abc-123-def',
  status: 'interrupted',
  progress: 67,
  phase: 'Indexing Files',
  filesProcessed: 234,
  totalFiles: 350,
  filesRemaining: 116,
  startedAt: NOW - 30 * 60_000,
  interruptedAt: NOW - 15 * 60_000,
  checkpointAt: NOW - 15 * 60_000,
  gitCommit: 'a1b2c3d4',
  estimatedTime: 2 * 60_000,
  canResume: true,
  reason: null,
  ...overrides,
});

/** A stream that says it is a terminal, with the answers a person would type. */
function terminal(...answers: string[]) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk) => (written += chunk));
  setImmediate(() => {
    for (const a of answers) input.write(`${a}\n`);
  });
  return { input, output, written: () => written };
}

describe('the resume prompt', () => {
  it("reproduces the story's prompt line by line", () => {
    expect(renderResumePrompt(info(), NOW).split('\n')).toEqual([
      '📎 Incomplete sync detected!',
      '',
      'Previous sync was 67% complete when interrupted 15 minutes ago',
      '  • Phase: Indexing Files',
      '  • Files processed: 234/350',
      '  • Estimated time to complete: 2 minutes',
      '',
      'Would you like to:',
      '  [R]esume from checkpoint (recommended)',
      '  [S]tart fresh sync',
      '  [V]iew details',
      '  [C]ancel',
      '',
      'Choice: ',
    ]);
  });

  it('says when the checkpoint cannot be used and recommends a fresh sync', () => {
    const text = renderResumePrompt(
      info({ canResume: false, reason: 'the checkpoint is damaged', status: 'failed' }),
      NOW,
    );
    expect(text.split('\n')).toEqual([
      '📎 Incomplete sync detected!',
      '',
      'Previous sync was 67% complete when it failed 15 minutes ago',
      '  • Phase: Indexing Files',
      '  • Files processed: 234/350',
      '  • Cannot resume: the checkpoint is damaged. A full sync is required.',
      '',
      'Would you like to:',
      '  [R]esume (not available)',
      '  [S]tart fresh sync (recommended)',
      '  [V]iew details',
      '  [C]ancel',
      '',
      'Choice: ',
    ]);
  });

  it.each([
    ['interrupted', 0, 'Previous sync was 67% complete when interrupted just now'],
    ['failed', 0, 'Previous sync was 67% complete when it failed just now'],
    ['cancelled', 0, 'Previous sync was 67% complete when it was cancelled just now'],
    ['failed', 3 * 3_600_000, 'Previous sync was 67% complete when it failed 3 hours ago'],
  ] as const)('says how a %s sync stopped in a sentence (%i ms ago)', (status, ago, line) => {
    const text = renderResumePrompt(info({ status, interruptedAt: NOW - ago }), NOW);
    expect(text.split('\n')[2]).toBe(line);
  });

  it('shows details with the job, commit and file counts, in words a newcomer can read', () => {
    expect(renderResumeDetails(info({ progress: 66.66666 }), NOW).split('\n')).toEqual([
      'Sync details:',
      '  • Job: abc-123-def',
      '  • How it stopped: interrupted (its process ended before the sync did)',
      `  • Started: ${local(NOW - 30 * 60_000)} (30 minutes ago)`,
      `  • Last activity: ${local(NOW - 15 * 60_000)} (15 minutes ago)`,
      `  • Last checkpoint: ${local(NOW - 15 * 60_000)} (15 minutes ago)`,
      '  • Git commit: a1b2c3d4',
      '  • Progress: 66% overall, in Indexing Files',
      '  • Files: 234 done, 116 remaining, 350 in all',
      '  • Resume: continues from the last checkpoint, skipping the 234 files done',
      '',
    ]);
  });

  it('says plainly in the details what cannot be resumed, and why', () => {
    const text = renderResumeDetails(
      info({
        status: 'failed',
        canResume: false,
        gitCommit: null,
        checkpointAt: null,
        reason: 'no checkpoint was saved',
      }),
      NOW,
    ).split('\n');
    expect(text).toContain('  • How it stopped: failed');
    expect(text).toContain('  • Last checkpoint: none');
    expect(text).toContain('  • Git commit: none recorded');
    expect(text).toContain('  • Resume: not possible (no checkpoint was saved); a full sync is required');
  });

  it('tells a person who pressed R when Resume is not available what they can answer', () => {
    expect(renderRetryHint(info())).toBe('Please answer R, S, V or C.');
    expect(renderRetryHint(info({ canResume: false, reason: 'x' }))).toBe(
      'Resume is not available: please answer S, V or C.',
    );
  });

  it.each([
    ['r', 'resume'],
    ['R', 'resume'],
    ['', 'resume'],
    ['s', 'fresh'],
    ['S', 'fresh'],
    ['c', 'cancel'],
    ['C', 'cancel'],
  ])('answer %j means %s', async (answer, expected) => {
    const t = terminal(answer);
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe(
      expected,
    );
  });

  it('shows details on V and asks again; re-asks on anything else', async () => {
    const t = terminal('v', 'x', 'maybe', 's');
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe('fresh');
    expect(t.written()).toContain('Sync details:');
    expect(t.written().match(/Please answer R, S, V or C\./g)).toHaveLength(2);
  });

  it('does not offer R when the checkpoint cannot be used', async () => {
    const t = terminal('r', '');
    await expect(
      promptResume(info({ canResume: false, reason: 'x' }), { input: t.input, output: t.output, now: NOW }),
    ).resolves.toBe('fresh');
  });

  it('never blocks on a stream that is not a terminal: it returns the default', async () => {
    const input = new PassThrough(); // never written to, never ended
    const output = new PassThrough();
    await expect(promptResume(info(), { input, output, now: NOW })).resolves.toBe('resume');
    await expect(
      promptResume(info(), { input, output, now: NOW, nonInteractiveChoice: 'cancel' }),
    ).resolves.toBe('cancel');
  });

  it('answers the recommended fresh sync when the checkpoint cannot be used, so an unattended caller is never stuck', async () => {
    // A cron job following the README: cancelling here would cancel every later run too.
    const input = new PassThrough();
    const output = new PassThrough();
    await expect(
      promptResume(info({ canResume: false, reason: 'no git commit' }), { input, output, now: NOW }),
    ).resolves.toBe('fresh');
  });

  it('reads piped answers when asked to', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    input.end('s\n');
    await expect(promptResume(info(), { input, output, readNonTty: true, now: NOW })).resolves.toBe('fresh');
  });

  it('cancels when the input ends before an answer it understood (never a silent Resume)', async () => {
    for (const typed of ['', 'zzz\n', 'zzz\nv\n', 'r']) {
      const input = new PassThrough();
      const output = new PassThrough();
      let written = '';
      output.on('data', (chunk) => (written += chunk));
      input.end(typed);
      await expect(
        promptResume(info(), { input, output, readNonTty: true, now: NOW, nonInteractiveChoice: 'resume' }),
      ).resolves.toBe(typed === 'r' ? 'resume' : 'cancel');
      if (typed !== 'r') expect(written).toContain('(end of input: cancelled)');
    }
  });
});

/** A fake terminal in raw mode's image: bytes arrive one keypress at a time; setRawMode is recorded. */
function rawTerminal(options: { failWith?: Error } = {}) {
  const modes: boolean[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      modes.push(mode);
      input.isRaw = mode;
      return input;
    },
  });
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk) => (written += chunk));
  const press = (...keys: string[]) =>
    setImmediate(() => {
      if (options.failWith) input.destroy(options.failWith);
      for (const key of keys) input.write(key);
    });
  return { input, output, modes, press, written: () => written };
}

describe('promptResume on a terminal: one keypress', () => {
  it.each([
    ['r', 'resume'],
    ['R', 'resume'],
    ['\r', 'resume'],
    ['s', 'fresh'],
    ['S', 'fresh'],
    ['c', 'cancel'],
    ['C', 'cancel'],
    ['\u0003', 'cancel'], // Ctrl-C
    ['\u0004', 'cancel'], // Ctrl-D
  ])('key %j answers %s without Enter, and the terminal mode is restored', async (key, expected) => {
    const t = rawTerminal();
    t.press(key);
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe(
      expected,
    );
    expect(t.modes).toEqual([true, false]);
    expect(t.input.isRaw).toBe(false);
    expect(t.input.isPaused()).toBe(true);
    expect(t.written()).toMatch(/Choice: \S.*\n$/);
  });

  it('V shows the details and waits for the next key; other keys and arrow keys ask again', async () => {
    const t = rawTerminal();
    t.press('v', 'x', '\u001b[A', 's');
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe('fresh');
    expect(t.written()).toContain('Sync details:');
    expect(t.written().match(/Please press R, S, V or C/g)).toHaveLength(2);
    expect(t.modes).toEqual([true, false]);
  });

  it('takes the first key of a burst (a paste) that answers', async () => {
    const t = rawTerminal();
    t.press('xsc');
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe('fresh');
  });

  it('Enter takes the recommendation; R is refused when the checkpoint cannot be used', async () => {
    const t = rawTerminal();
    t.press('r', '\r');
    await expect(
      promptResume(info({ canResume: false, reason: 'x' }), { input: t.input, output: t.output, now: NOW }),
    ).resolves.toBe('fresh');
    expect(t.written()).toContain('Please press');
  });

  it('keeps a terminal that was already raw raw', async () => {
    const t = rawTerminal();
    t.input.isRaw = true;
    t.press('c');
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe(
      'cancel',
    );
    expect(t.modes).toEqual([true, true]);
  });

  it('restores the terminal mode when reading fails', async () => {
    const t = rawTerminal({ failWith: new Error('EIO') });
    t.press();
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).rejects.toThrow('EIO');
    expect(t.modes).toEqual([true, false]);
  });

  it('the terminal closing before a key cancels', async () => {
    const t = rawTerminal();
    setImmediate(() => t.input.end());
    await expect(promptResume(info(), { input: t.input, output: t.output, now: NOW })).resolves.toBe(
      'cancel',
    );
    expect(t.modes).toEqual([true, false]);
  });
});

describe('duration formats', () => {
  it.each([
    [45_000, '45s'],
    [150_000, '2m 30s'],
    [218_000, '3m 38s'],
    [120_000, '2m'],
    [3_900_000, '1h 5m'],
    [7_200_000, '2h'],
    [-5, '0s'],
  ])('%i ms is %s', (ms, text) => expect(formatDurationShort(ms)).toBe(text));

  it.each([
    [500, '1 second'],
    [45_000, '45 seconds'],
    [120_000, '2 minutes'],
    [3_600_000, '1 hour'],
    [5_400_000, '1 hour 30 minutes'],
  ])('%i ms in words is %s', (ms, text) => expect(formatDurationWords(ms)).toBe(text));
});
