import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { classifyError, CliError, EXIT } from '../../src/cli/exit-codes';
import { Output, colorAllowed } from '../../src/cli/output';
import { defaultProjectId, projectIdFromName } from '../../src/cli/project';
import { PROJECT_ID_PATTERN } from '../../src/config/project-id';
import { NotFoundError, StorageError, ValidationError } from '../../src/errors';
import { formatBytes, formatMode } from '../../src/cli/format';
import { useTempDir } from '../support/temp-dir';
import { processIo } from '../../src/cli/io';
import { main } from '../../src/cli/main';
import { cliEnv, ExitCalled, fakeIo, openStore, runCli } from './helpers';

const tmp = useTempDir('cidx-cli-main-');

describe('the program', () => {
  it('--help lists every command and the exit codes (exit 0)', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['status', 'resume', 'history', 'maintain', 'doctor', 'demo'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 error, 2 usage, 3 nothing found');
  });

  it('each command has help with --project and --dir', async () => {
    for (const command of ['status', 'resume', 'history', 'maintain', 'doctor', 'demo']) {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--project <id>');
      expect(result.stdout).toContain('--dir <folder>');
    }
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(require('../../package.json').version);
  });

  it('a missing or unknown command, or an unknown option, is a usage error (exit 2)', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: cidx-progress');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await runCli(['status', '--colour']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--colour'");
  });
});

describe('the default project', () => {
  it('keeps a name that is already a project id', () => {
    expect(projectIdFromName('acme-api')).toBe('acme-api');
    expect(projectIdFromName('v2.x_beta')).toBe('v2.x_beta');
  });

  it('cleans any other name and adds a hash of the original, so different names stay apart', () => {
    const a = projectIdFromName('my repo');
    const b = projectIdFromName('my_repo!');
    expect(a).toBe('my-repo-fc8ee3fa'); // the README's example
    expect(b).toMatch(/^my_repo-[0-9a-f]{8}$/);
    expect(projectIdFromName('my  repo')).not.toBe(a);
    expect(projectIdFromName('.hidden')).toMatch(/^hidden-[0-9a-f]{8}$/);
    expect(projectIdFromName('日本')).toMatch(/^project-[0-9a-f]{8}$/);
    const long = projectIdFromName(`${'x'.repeat(200)} y`);
    expect(long).toHaveLength(128);
    for (const id of [a, b, long]) expect(id).toMatch(PROJECT_ID_PATTERN);
  });

  it('is CIDX_PROJECT_ID when set, else the name of the git repository around the working folder', async () => {
    const repo = tmp.join('My Project');
    fs.mkdirSync(path.join(repo, 'sub'), { recursive: true });
    execFileSync('git', ['init', '-q', repo]);
    const env = cliEnv();
    expect(await defaultProjectId(path.join(repo, 'sub'), env)).toBe(projectIdFromName('My Project'));
    expect(await defaultProjectId(repo, cliEnv({ CIDX_PROJECT_ID: 'from-env' }))).toBe('from-env');

    openStore(tmp.join('store'), projectIdFromName('My Project')).close();
    const result = await runCli(['status', '--dir', tmp.join('store')], { cwd: path.join(repo, 'sub') });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Project ${projectIdFromName('My Project')}`);
  });

  it('outside a git repository, asks for --project (exit 2)', async () => {
    const outside = tmp.join('nowhere');
    fs.mkdirSync(outside);
    const env = cliEnv({ GIT_CEILING_DIRECTORIES: tmp.path });
    await expect(defaultProjectId(outside, env)).rejects.toThrow(
      'pass --project <id> or set CIDX_PROJECT_ID',
    );
    const result = await runCli(['status', '--dir', tmp.path], { cwd: outside, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not inside a git repository');
  });

  it('--dir defaults to $CIDX_HOME/progress', async () => {
    openStore(path.join(tmp.path, 'home', 'progress'), 'homed').close();
    const result = await runCli(['status', '--project', 'homed', '--json'], {
      env: cliEnv({ CIDX_HOME: tmp.join('home') }),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).store).toBe(tmp.join('home', 'progress', 'homed.db'));
  });
});

describe('output and errors', () => {
  it('colour needs a TTY, no NO_COLOR and a TERM other than dumb', () => {
    const tty = { isTTY: true } as never;
    expect(colorAllowed(tty, {})).toBe(true);
    expect(colorAllowed(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorAllowed(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorAllowed({ isTTY: false } as never, {})).toBe(false);
    const out = new Output(fakeIo({ tty: true }));
    expect(out.style('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(out.width).toBe(80);
    const json = new Output(fakeIo({ tty: true }), true);
    expect(json.style('red', 'x')).toBe('x');
    expect(json.interactive).toBe(false);
  });

  it('maps errors to exit codes and stable codes', () => {
    expect(classifyError(new CliError(EXIT.NOT_FOUND, 'gone'))).toEqual({
      exitCode: 3,
      code: 'NOT_FOUND',
      message: 'gone',
    });
    expect(classifyError(new CliError(EXIT.ERROR, 'bad'))).toEqual({
      exitCode: 1,
      code: 'ERROR',
      message: 'bad',
    });
    expect(classifyError(new ValidationError([{ path: 'x', message: 'bad' }]))).toEqual(
      expect.objectContaining({ exitCode: 2, code: 'VALIDATION' }),
    );
    expect(classifyError(new NotFoundError('no sync'))).toEqual(
      expect.objectContaining({ exitCode: 3, code: 'NOT_FOUND' }),
    );
    expect(classifyError(new StorageError('disk'))).toEqual(
      expect.objectContaining({ exitCode: 1, code: 'STORAGE' }),
    );
    expect(classifyError(new Error('boom'))).toEqual({ exitCode: 1, code: 'ERROR', message: 'boom' });
    expect(classifyError('text')).toEqual({ exitCode: 1, code: 'ERROR', message: 'text' });
  });

  it('formats sizes in decimal units and modes in octal', () => {
    expect(formatBytes(532)).toBe('532 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(50_000_000)).toBe('50.0 MB');
    expect(formatMode(0o600)).toBe('0600');
    expect(formatMode(0o7)).toBe('0007');
  });
});

describe('main (what the bin runs)', () => {
  const savedExitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  it('sets the exit code instead of exiting', async () => {
    const io = fakeIo();
    await main(['status', '--project', 'nothing-here', '--dir', tmp.path], io);
    expect(process.exitCode).toBe(3);
    expect(io.exitCodes).toEqual([]);
  });

  it('ends quietly on a closed pipe (EPIPE), and lets other stream errors through', async () => {
    const io = fakeIo();
    await main(['--version'], io);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(() => io.stdout.emit('error', epipe)).toThrow(ExitCalled);
    expect(io.exitCodes).toEqual([0]);
    expect(() => io.stderr.emit('error', Object.assign(new Error('disk'), { code: 'EIO' }))).toThrow('disk');
  });

  it('reports an unexpected failure on stderr with exit 1', async () => {
    const io = fakeIo();
    io.stdout.write = () => {
      throw new TypeError('stdout is broken');
    };
    await main(['--help'], io);
    expect(process.exitCode).toBe(1);
    expect(io.stderr.text).toContain('cidx-progress: TypeError: stdout is broken');
  });

  it('processIo is the real process', () => {
    const io = processIo();
    expect(io.stdout).toBe(process.stdout);
    expect(io.stdin).toBe(process.stdin);
    expect(io.cwd).toBe(process.cwd());
    expect(io.selfCommand).toEqual([process.execPath, ...process.execArgv, process.argv[1]]);
  });

  it("processIo's onInterrupt takes SIGINT until it is removed", () => {
    const before = process.listenerCount('SIGINT');
    let calls = 0;
    const remove = processIo().onInterrupt(() => calls++);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT');
    remove();
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(calls).toBe(1);
  });
});
