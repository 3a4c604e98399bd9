import fs from 'node:fs';
import path from 'node:path';
import type { DoctorJson } from '../../src/cli/commands/doctor';
import { inspectPaths, linksAndOwnersCheck } from '../../src/cli/doctor/path-safety';
import { EXIT } from '../../src/cli/exit-codes';
import { useTempDir } from '../support/temp-dir';
import { cliEnv, openStore, PROJECT, runCli, seedInterrupted } from './helpers';

// The command line on a store folder with a link or another user's files in it: a typed
// refusal with its own exit code (and `{"error":{"code":"UNSAFE_PATH"}}` under --json),
// and a doctor that says what it found (issue 11, findings 3 and 4).
const tmp = useTempDir('cidx-cli-unsafe-');
const asRoot = process.getuid?.() === 0 ? it : it.skip;
const OTHER_UID = 4321;

const storeDir = () => tmp.join('progress');
const dbPath = () => path.join(storeDir(), `${PROJECT}.db`);
const cli = (command: string, ...extra: string[]) =>
  runCli([command, '--project', PROJECT, '--dir', storeDir(), ...extra]);

/** A real store elsewhere, and `{dir}/acme-api.db` a link to it. */
function linkedStore(): string {
  const elsewhere = tmp.join('elsewhere');
  seedInterrupted(elsewhere);
  fs.mkdirSync(storeDir(), { mode: 0o700 });
  fs.symlinkSync(path.join(elsewhere, `${PROJECT}.db`), dbPath());
  return path.join(elsewhere, `${PROJECT}.db`);
}

async function doctorJson(): Promise<{ code: number; json: DoctorJson }> {
  const result = await cli('doctor', '--json');
  return { code: result.code, json: JSON.parse(result.stdout) as DoctorJson };
}
const check = (json: DoctorJson, name: string) => json.checks.find((c) => c.name === name)!;

describe('commands on a store file that is a link', () => {
  it.each(['status', 'maintain', 'history'])(
    '%s exits UNSAFE_PATH, naming the link, and never touches the target',
    async (command) => {
      const target = linkedStore();
      const before = fs.statSync(target);
      const text = await cli(command);
      expect(text.code).toBe(EXIT.UNSAFE_PATH);
      expect(text.stderr).toContain(dbPath());
      expect(text.stderr).toMatch(/symbolic link/);

      const json = await cli(command, '--json');
      expect(json.code).toBe(EXIT.UNSAFE_PATH);
      expect(JSON.parse(json.stdout)).toEqual({
        error: { code: 'UNSAFE_PATH', message: expect.stringContaining(dbPath()) },
      });
      expect(fs.statSync(target).mtimeMs).toBe(before.mtimeMs);
      expect(fs.statSync(target).mode).toBe(before.mode);
      expect(fs.existsSync(`${target}-wal`)).toBe(false);
    },
  );

  it('a link to nothing is refused too, not taken for a missing store', async () => {
    fs.mkdirSync(storeDir(), { mode: 0o700 });
    fs.symlinkSync(tmp.join('nowhere.db'), dbPath());
    const result = await cli('status', '--json');
    expect(result.code).toBe(EXIT.UNSAFE_PATH);
    expect(JSON.parse(result.stdout).error.code).toBe('UNSAFE_PATH');
    expect(fs.existsSync(tmp.join('nowhere.db'))).toBe(false);
  });

  it('doctor fails the "links and owners" check with advice, and does not open the target', async () => {
    const target = linkedStore();
    const { code, json } = await doctorJson();
    expect(code).toBe(EXIT.UNHEALTHY);
    expect(json.ok).toBe(false);
    expect(check(json, 'links and owners')).toEqual({
      name: 'links and owners',
      status: 'fail',
      detail: expect.stringContaining(`${dbPath()} is a symbolic link to ${target}`),
      advice: expect.stringContaining('replace the link'),
    });
    expect(check(json, 'integrity')).toEqual(
      expect.objectContaining({ status: 'warn', detail: expect.stringMatching(/^not checked/) }),
    );
    // A read-only open of a WAL file creates -wal/-shm beside it: doctor never opened it.
    expect(fs.existsSync(`${target}-wal`)).toBe(false);
    expect(fs.existsSync(`${target}-shm`)).toBe(false);
    const text = await cli('doctor');
    expect(text.stdout).toMatch(/✗ links and owners/);
  });

  it('doctor fails on a -wal that is a link', async () => {
    openStore(storeDir()).close();
    fs.symlinkSync(tmp.join('outside-wal'), `${dbPath()}-wal`);
    const { code, json } = await doctorJson();
    expect(code).toBe(EXIT.UNHEALTHY);
    expect(check(json, 'links and owners').detail).toContain(`${dbPath()}-wal is a symbolic link`);
    expect(fs.existsSync(tmp.join('outside-wal'))).toBe(false);
  });

  it('doctor accepts a base folder that is a link its owner made', async () => {
    const real = tmp.join('real');
    seedInterrupted(real);
    fs.symlinkSync(real, storeDir());
    const { json } = await doctorJson();
    expect(check(json, 'links and owners')).toEqual(
      expect.objectContaining({
        status: 'ok',
        detail: expect.stringContaining(`the folder is a link to ${real}`),
      }),
    );
    expect(check(json, 'integrity').status).toBe('ok');
  });
});

describe('commands on a folder of another user', () => {
  asRoot('status exits UNSAFE_PATH and says how to fix it', async () => {
    seedInterrupted(storeDir());
    fs.chownSync(storeDir(), OTHER_UID, OTHER_UID);
    const result = await cli('status');
    expect(result.code).toBe(EXIT.UNSAFE_PATH);
    expect(result.stderr).toMatch(new RegExp(`${storeDir()} is owned by uid ${OTHER_UID}.*chown`));
  });

  asRoot('doctor reports the owner truthfully instead of calling the folder owner-only', async () => {
    seedInterrupted(storeDir());
    fs.chownSync(storeDir(), OTHER_UID, OTHER_UID);
    fs.chownSync(dbPath(), OTHER_UID, OTHER_UID);
    const { code, json } = await doctorJson();
    expect(code).toBe(EXIT.UNHEALTHY);
    const owners = check(json, 'links and owners');
    expect(owners.status).toBe('fail');
    expect(owners.detail).toContain(`the folder ${storeDir()} is owned by uid ${OTHER_UID}`);
    expect(owners.detail).toContain(`${dbPath()} is owned by uid ${OTHER_UID}`);
    expect(owners.advice).toMatch(/chown/);
    expect(check(json, 'file modes').detail).not.toMatch(/owner-only/);
  });
});

describe('a bad CIDX_HOME on the command line', () => {
  it('is a usage error (exit 2) naming CIDX_HOME', async () => {
    const result = await runCli(['status', '--project', PROJECT, '--json'], {
      env: cliEnv({ CIDX_HOME: 'relative/home' }),
    });
    expect(result.code).toBe(EXIT.USAGE);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'VALIDATION', message: expect.stringContaining('CIDX_HOME') },
    });
  });
});

describe('what doctor finds by lstat, whatever stands in the folder', () => {
  const problems = (dbFile: string) => linksAndOwnersCheck(inspectPaths(dbFile));

  it.each([
    ['a link to a file', (real: string) => fs.writeFileSync(real, '')],
    ['a link to nothing', () => {}],
  ])('fails a base folder that is %s', (_what, make) => {
    const real = tmp.join('real');
    make(real);
    fs.symlinkSync(real, storeDir());
    expect(problems(dbPath())).toEqual(
      expect.objectContaining({
        status: 'fail',
        detail: `the folder ${storeDir()} is a link to ${real}, which is not a folder`,
      }),
    );
  });

  it('fails a store file that is a folder, and a shared folder with the sticky bit', () => {
    fs.mkdirSync(storeDir());
    fs.chmodSync(storeDir(), 0o1777);
    fs.mkdirSync(dbPath());
    const check = problems(dbPath());
    expect(check.detail).toContain(`${dbPath()} is not a regular file`);
    expect(check.detail).toContain(`the folder ${storeDir()} is a shared folder (sticky bit, like /tmp)`);
  });

  asRoot('fails a base folder that is a link made by another user', () => {
    const real = tmp.join('real');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.symlinkSync(real, storeDir());
    fs.lchownSync(storeDir(), OTHER_UID, OTHER_UID);
    expect(problems(dbPath()).detail).toBe(
      `the folder ${storeDir()} is a link made by uid ${OTHER_UID}, not 0 (this user)`,
    );
  });
});
