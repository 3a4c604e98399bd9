import path from 'node:path';
import { plainText, runOnTerminal } from '../support/pty';
import { useTempDir } from '../support/temp-dir';
import { CLI_CHILD, cliEnv, openStore, PROJECT, seedInterrupted } from './helpers';

/**
 * The resume prompt on a real pseudo terminal: one keypress answers (no Enter), Ctrl-C
 * cancels, and the terminal is back in line mode once the prompt is answered.
 */
const tmp = useTempDir('cidx-cli-resume-tty-');
const env = () => cliEnv({ TERM: 'xterm-256color' });
const resumeCommand = () => [process.execPath, CLI_CHILD, 'resume', '--project', PROJECT, '--dir', tmp.path];

function offered(): string | null {
  const store = openStore(tmp.path);
  try {
    return store.resume.checkResumable()?.jobId ?? null;
  } finally {
    store.close();
  }
}

describe('cidx-progress resume on a terminal', () => {
  it('S alone (no Enter) starts fresh', async () => {
    seedInterrupted(tmp.path);
    const result = await runOnTerminal(resumeCommand(), [{ wait: 'Choice: ' }, { send: 's' }], env());
    expect(result.error).toBeNull();
    expect(result.code).toBe(0);
    const text = plainText(result.output);
    expect(text).toContain('Choice: S (start fresh)\n');
    expect(text).toContain('Cleared the checkpoint');
    expect(offered()).toBeNull();
  });

  it('Ctrl-C cancels with exit 5 and changes nothing', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runOnTerminal(resumeCommand(), [{ wait: 'Choice: ' }, { send: '\u0003' }], env());
    expect(result.error).toBeNull();
    expect(result.code).toBe(5);
    expect(plainText(result.output)).toContain('Cancelled: nothing was changed.');
    expect(offered()).toBe(jobId);
  });

  it('V shows the details, then Enter takes the recommendation (resume)', async () => {
    const jobId = seedInterrupted(tmp.path);
    const result = await runOnTerminal(
      resumeCommand(),
      [{ wait: 'Choice: ' }, { send: 'v' }, { wait: 'Sync details:' }, { wait: 'Choice: ' }, { send: '\r' }],
      env(),
    );
    expect(result.error).toBeNull();
    expect(result.code).toBe(0);
    expect(plainText(result.output)).toContain('Kept the checkpoint');
    expect(offered()).toBe(jobId);
  });

  it('puts the terminal back in line mode (echo on) as soon as the key is read', async () => {
    const child = path.join(__dirname, 'children', 'prompt-on-terminal.js');
    const result = await runOnTerminal(
      [process.execPath, child],
      [
        { wait: 'Choice: ' },
        { mode: 'while asking' },
        { send: 'c' },
        { wait: 'answered' },
        { mode: 'after the answer' },
        { send: 'bye\r' },
        { wait: 'line bye' },
      ],
      env(),
    );
    expect(result.error).toBeNull();
    expect(result.modes).toEqual({ 'while asking': false, 'after the answer': true });
    const text = plainText(result.output);
    expect(text).toContain('answered cancel raw=false');
    // Typed with echo on: the terminal shows "bye" before the child's own line.
    expect(text).toMatch(/bye\n(.*\n)*line bye/);
    expect(result.code).toBe(0);
  });
});
