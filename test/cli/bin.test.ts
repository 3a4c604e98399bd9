import type { HistoryJson } from '../../src/cli/commands/history';
import type { StatusJson } from '../../src/cli/commands/status';
import { runChild, startChild } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';
import { ANSI, CLI_CHILD, cliEnv, PROJECT, seedInterrupted, openStore } from './helpers';

/**
 * The real command line in child processes (main() from the sources, as the bin runs it
 * from dist/): exit codes as a shell sees them, non-TTY behaviour with real pipes, the
 * prompt answered through stdin, and the demo interrupted by a real process exit.
 */
const tmp = useTempDir('cidx-cli-bin-');
const cli = (args: string[], env: NodeJS.ProcessEnv = cliEnv()) => runChild(CLI_CHILD, args, { env });
const store = (...args: string[]) => [...args, '--project', PROJECT, '--dir', tmp.path];

describe('cidx-progress in a child process', () => {
  it('exits 0 with help, 2 on a usage error, 3 when there is no store', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cidx-progress');
    expect((await cli(['status', '--days', '3'])).code).toBe(2);
    const missing = await cli(store('status'));
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('no progress store');
  });

  it('prints plain text to a pipe, and JSON that parses', async () => {
    seedInterrupted(tmp.path);
    const text = await cli(store('status'), cliEnv({ TERM: 'xterm-256color' }));
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('interrupted at 40% in Indexing Files');
    expect(text.stdout).not.toMatch(ANSI);
    const json = await cli(store('status', '--json'));
    expect((JSON.parse(json.stdout) as StatusJson).syncs).toHaveLength(1);
  });

  it('resume never waits on a stdin that is a pipe nobody writes to', async () => {
    seedInterrupted(tmp.path);
    // stdin stays open and silent: a prompt that read it would hang until the test timed out.
    const child = startChild(CLI_CHILD, store('resume'), { env: cliEnv() });
    const result = await child.exited;
    child.process.stdin?.destroy();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Choice: resume (not a terminal)');
    expect(result.stdout).toContain('Kept the checkpoint');
  });

  it('resume --read-stdin given zzz and then the end of input cancels with exit 5 and keeps the checkpoint', async () => {
    const jobId = seedInterrupted(tmp.path);
    const child = startChild(CLI_CHILD, store('resume', '--read-stdin'), { env: cliEnv() });
    await child.waitForLine('[C]ancel');
    child.send('zzz');
    child.process.stdin?.end();
    const result = await child.exited;
    expect(result.code).toBe(5);
    expect(result.stdout).toContain('Please answer R, S, V or C.');
    expect(result.stdout).toContain('Cancelled: nothing was changed.');
    const check = openStore(tmp.path);
    expect(check.resume.checkResumable()?.jobId).toBe(jobId);
    check.close();
  });

  it('resume --read-stdin takes answers typed into stdin, one at a time', async () => {
    seedInterrupted(tmp.path);
    const child = startChild(CLI_CHILD, store('resume', '--read-stdin'), { env: cliEnv() });
    await child.waitForLine('[C]ancel');
    child.send('v');
    await child.waitForLine('Sync details:');
    child.send('s');
    const result = await child.exited;
    child.process.stdin?.destroy();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Cleared the checkpoint');
    const check = openStore(tmp.path);
    expect(check.resume.checkResumable()).toBeNull();
    check.close();
  });

  it('resume --choice c exits 5; with nothing to resume, 3', async () => {
    seedInterrupted(tmp.path);
    expect((await cli(store('resume', '--choice', 'c'))).code).toBe(5);
    expect((await cli(store('resume', '--choice', 's'))).code).toBe(0);
    expect((await cli(store('resume', '--choice', 'r'))).code).toBe(3);
  });

  it('the demo, interrupted at 40% by a real exit, resumes to 100% on the next run', async () => {
    const demo = (...args: string[]) => cli(['demo', '--dir', tmp.path, '--delay', '0', ...args]);
    const first = await demo('--interrupt-at', '40');
    expect(first.code).toBe(6);
    expect(first.stdout).toMatch(/✂ Interrupted at 4\d%/);
    expect(first.stdout).not.toContain('100%');

    const status = JSON.parse(
      (await cli(['status', '--project', 'demo', '--dir', tmp.path, '--json'])).stdout,
    ) as StatusJson;
    expect(status.syncs).toEqual([
      expect.objectContaining({
        state: 'interrupted',
        alive: false,
        phase: 'Indexing Files',
        hasCheckpoint: true,
      }),
    ]);
    expect(status.syncs[0]!.progress).toBeGreaterThanOrEqual(40);
    expect(status.syncs[0]!.progress).toBeLessThan(45);
    expect(status.resumable).toEqual(expect.objectContaining({ canResume: true, status: 'interrupted' }));

    const second = await demo('--yes');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('📎 Incomplete sync detected!');
    expect(second.stdout).toMatch(/Continuing from 4\d% \(Indexing Files\):/);
    expect(second.stdout).toMatch(/^ +100% +Validating Index +44\/44 files$/m);
    expect(second.stdout).toMatch(/skipped thanks to the checkpoint/);

    const history = JSON.parse(
      (await cli(['history', '--project', 'demo', '--dir', tmp.path, '--json'])).stdout,
    ) as HistoryJson;
    expect(history.report.empty).toBe(false);
    if (!history.report.empty) {
      // One logical sync: interrupted, then resumed to completion.
      expect(history.report.success).toEqual(
        expect.objectContaining({ syncs: 1, succeeded: 1, inProgress: 0 }),
      );
      expect(history.report.recent).toEqual([
        expect.objectContaining({ status: 'completed', filesIndexed: 44 }),
      ]);
    }
    const after = JSON.parse(
      (await cli(['status', '--project', 'demo', '--dir', tmp.path, '--json'])).stdout,
    ) as StatusJson;
    expect(after.syncs).toEqual([]);
  });
});
