import { runCli } from './helpers';

/** What a person reads in --help: every command's text says what it means on its own. */
const COMMANDS = ['status', 'resume', 'history', 'maintain', 'doctor', 'demo'];

describe('--help', () => {
  it('never says "the story" (a name for the specification nobody reading --help has seen)', async () => {
    for (const argv of [['--help'], ...COMMANDS.map((command) => [command, '--help'])]) {
      const { stdout, code } = await runCli(argv);
      expect(code).toBe(0);
      expect({ argv, story: /\bthe story\b|story's/i.test(stdout) }).toEqual({ argv, story: false });
    }
  });

  it('states the exit codes of status --watch, the JSON errors and what opening a store for writing does', async () => {
    const { stdout } = await runCli(['--help']);
    expect(stdout).toContain(
      'status --watch: 0 the sync completed, 10 it failed, 5 it was cancelled, 6 it was interrupted, 3 none running, 130 Ctrl-C.',
    );
    expect(stdout).toContain(
      'every failure (a bad command line too) is one {"error": {"code", "message"}} document on stdout',
    );
    expect(stdout).toContain('the folder made owner-only (0700, an existing\none too) and the files 0600');
    const status = await runCli(['status', '--help']);
    expect(status.stdout).toContain('--watch');
    expect(status.stdout).toContain('10 failed, 5 cancelled, 6 interrupted');
    const resume = await runCli(['resume', '--help']);
    expect(resume.stdout).toContain('who answers with one key: R, S, V, C');
    expect(resume.stdout).toContain('cancels if the input ends');
  });
});
