import { runChild } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';
import { CLI_CHILD, cliEnv, PROJECT, runCli, seedCompleted } from './helpers';

/**
 * Under --json every failure is one JSON document `{"error": {code, message}}` on stdout
 * with the documented exit code, and nothing else on stdout: failures of the commands
 * themselves and commander's own (unknown option, bad value, unknown command).
 */
const tmp = useTempDir('cidx-cli-json-errors-');
const store = (...args: string[]) => [...args, '--project', PROJECT, '--dir', tmp.path];
/** Case tables are built before a test runs: DIR stands for the test's folder. */
const DIR = '<dir>';
const inDir = (argv: string[]) => argv.map((a) => (a === DIR ? tmp.path : a));
const inStore = (...args: string[]) => [...args, '--project', PROJECT, '--dir', DIR];

interface ErrorJson {
  error: { code: string; message: string };
}

/** stdout is exactly one JSON document, an error. */
function parseError(stdout: string): ErrorJson {
  const parsed = JSON.parse(stdout) as ErrorJson;
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message']);
  return parsed;
}

const cases: Array<{ name: string; argv: string[]; exit: number; code: string; message: RegExp }> = [
  {
    name: 'a bad option value (history --days 0)',
    argv: inStore('history', '--days', '0', '--json'),
    exit: 2,
    code: 'USAGE',
    message: /--days.*expected a whole number from 1 to 30/,
  },
  {
    name: 'an unknown option after --json',
    argv: inStore('status', '--json', '--bogus'),
    exit: 2,
    code: 'USAGE',
    message: /unknown option '--bogus'/,
  },
  {
    name: 'an unknown option before --json',
    argv: ['status', '--bogus', '--json'],
    exit: 2,
    code: 'USAGE',
    message: /unknown option '--bogus'/,
  },
  {
    name: 'an option without its value',
    argv: ['doctor', '--json', '--project'],
    exit: 2,
    code: 'USAGE',
    message: /argument missing/,
  },
  {
    name: 'a bad --choice',
    argv: inStore('resume', '--choice', 'x', '--json'),
    exit: 2,
    code: 'USAGE',
    message: /expected r \(resume\)/,
  },
  {
    name: 'an unknown command',
    argv: ['frobnicate', '--json'],
    exit: 2,
    code: 'USAGE',
    message: /unknown command 'frobnicate'/,
  },
  {
    name: 'a missing store',
    argv: inStore('status', '--json'),
    exit: 3,
    code: 'NOT_FOUND',
    message: /no progress store/,
  },
];

describe('--json failures, in this process', () => {
  it.each(cases)('$name: one error document on stdout, exit $exit', async ({ argv, exit, code, message }) => {
    const result = await runCli(inDir(argv));
    expect(result.code).toBe(exit);
    const parsed = parseError(result.stdout);
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message).toMatch(message);
    // No "error:" prefix or usage hint meant for a person inside the JSON.
    expect(parsed.error.message).not.toMatch(/^error: |--help/);
    expect(result.stderr).toBe('');
  });

  it('without --json the same failures stay text on stderr, with the usage hint', async () => {
    const result = await runCli(store('history', '--days', '0'));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: option '--days <n>' argument '0' is invalid");
    expect(result.stderr).toContain('(run with --help for usage)');
  });

  it('--json after the option terminator is an argument, not the flag', async () => {
    const result = await runCli(['status', '--', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('too many arguments');
  });

  it('help and version stay as they are with --json (they are not failures)', async () => {
    const help = await runCli(['status', '--help', '--json']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cidx-progress status');
  });

  it('a command that succeeds is unaffected', async () => {
    seedCompleted(tmp.path);
    const result = await runCli(store('history', '--days', '3', '--json'));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ project: PROJECT }));
  });
});

describe('--json failures, in a real child process', () => {
  it.each(cases.slice(0, 3))('$name', async ({ argv, exit, code, message }) => {
    const result = await runChild(CLI_CHILD, inDir(argv), { env: cliEnv() });
    expect(result.code).toBe(exit);
    const parsed = parseError(result.stdout);
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message).toMatch(message);
    expect(result.stderr).toBe('');
  });
});
