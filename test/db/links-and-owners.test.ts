import fs from 'node:fs';
import { UnsafePathError } from '../../src/errors';
import {
  assertNotLink,
  assertSafeToRead,
  ensurePrivateDir,
  ensurePrivateFile,
  lstatIfExists,
  ownedByThisUser,
} from '../../src/db/file-modes';
import { openTestStore } from '../support/store';
import { thrownBy } from '../support/thrown-by';
import { modeOf, useTempDir } from '../support/temp-dir';

// A link inside the store's folder would make SQLite, chmod or cleanup act on its target,
// outside the folder; a folder of another user is not ours to tighten (issue 11, findings 3, 4).
describe('links and owners inside the store folder', () => {
  const tmp = useTempDir();

  it('refuses a database file that is a symlink, leaving the target uncreated', () => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = tmp.join('elsewhere.db');
    fs.symlinkSync(target, `${dir}/p.db`);

    expect(() => openTestStore(`${dir}/p.db`)).toThrow(UnsafePathError);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a symlinked database without chmodding or writing its existing target', () => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = tmp.join('system-file');
    fs.writeFileSync(target, 'keep me');
    fs.chmodSync(target, 0o644);
    fs.symlinkSync(target, `${dir}/p.db`);

    let error: unknown;
    try {
      openTestStore(`${dir}/p.db`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as UnsafePathError).code).toBe('UNSAFE_PATH');
    expect((error as UnsafePathError).path).toBe(`${dir}/p.db`);
    expect(modeOf(target)).toBe(0o644);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
  });

  it.each(['-wal', '-shm', '-journal'])('refuses a %s companion that is a symlink', (suffix) => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = tmp.join(`outside${suffix}`);
    fs.writeFileSync(target, '');
    fs.chmodSync(target, 0o644);
    fs.symlinkSync(target, `${dir}/p.db${suffix}`);

    expect(() => openTestStore(`${dir}/p.db`)).toThrow(UnsafePathError);
    expect(modeOf(target)).toBe(0o644);
    expect(fs.statSync(target).size).toBe(0);
  });

  it('accepts a base folder that is a link its owner made', () => {
    const real = tmp.join('real-progress');
    fs.mkdirSync(real, { mode: 0o755 });
    fs.symlinkSync(real, tmp.join('progress'));

    openTestStore(tmp.join('progress', 'p.db'));
    expect(fs.existsSync(`${real}/p.db`)).toBe(true);
    expect(modeOf(real)).toBe(0o700);
  });

  it('refuses a linked folder where links are not allowed (the archive folder)', () => {
    const outside = tmp.join('outside');
    fs.mkdirSync(outside, { mode: 0o755 });
    fs.symlinkSync(outside, tmp.join('p.archive'));

    expect(() => ensurePrivateDir(tmp.join('p.archive'))).toThrow(UnsafePathError);
    expect(modeOf(outside)).toBe(0o755);
  });

  it('refuses a base folder link that leads to a file', () => {
    fs.writeFileSync(tmp.join('a-file'), '');
    fs.symlinkSync(tmp.join('a-file'), tmp.join('progress'));
    expect(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).toThrow(/is not a folder/);
  });

  it('assertNotLink refuses a link and lets a file or a missing path pass', () => {
    fs.writeFileSync(tmp.join('file'), '');
    fs.symlinkSync(tmp.join('file'), tmp.join('link'));
    const error = thrownBy(() => assertNotLink(tmp.join('link')));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(
      `${tmp.join('link')} is a symbolic link; the store never follows links inside its folder`,
    );
    expect(() => assertNotLink(tmp.join('file'))).not.toThrow();
    expect(() => assertNotLink(tmp.join('missing'))).not.toThrow();
  });

  it('refuses a companion that is not a regular file (a folder named p.db-wal), naming it', () => {
    const file = tmp.join('p.db');
    fs.mkdirSync(`${file}-wal`);
    const error = thrownBy(() => ensurePrivateFile(file));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(`${file}-wal is not a regular file`);
  });

  it('lstatIfExists reports errors other than a missing path', () => {
    expect(lstatIfExists(tmp.join('missing', 'x'))).toBeUndefined();
    expect(() => lstatIfExists(tmp.join('x'.repeat(300)))).toThrow(/ENAMETOOLONG/);
  });

  it('refuses a linked folder where links are not allowed, naming it', () => {
    fs.mkdirSync(tmp.join('outside'));
    fs.symlinkSync(tmp.join('outside'), tmp.join('p.archive'));
    expect(thrownBy(() => ensurePrivateDir(tmp.join('p.archive'))).message).toBe(
      `${tmp.join('p.archive')} is a symbolic link; the store never follows links inside its folder`,
    );
  });

  it('refuses a base folder link that leads nowhere, naming its target', () => {
    fs.symlinkSync(tmp.join('gone'), tmp.join('progress'));
    expect(thrownBy(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).message).toBe(
      `${tmp.join('progress')} is a symbolic link to ${tmp.join('gone')}, which does not exist; the store does not create it`,
    );
  });

  it('passes on any other failure to follow a base folder link (a loop) as it came', () => {
    fs.symlinkSync(tmp.join('progress'), tmp.join('progress'));
    expect(thrownBy(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true }))).toMatchObject({
      code: 'ELOOP',
    });
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('refuses a folder owned by another user, leaving its mode alone', () => {
    const dir = tmp.join('theirs');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chownSync(dir, 4321, 4321);

    expect(() => ensurePrivateDir(dir)).toThrow(/owned by uid 4321/);
    expect(modeOf(dir)).toBe(0o755);
  });

  asRoot('refuses a store file owned by another user', () => {
    const file = tmp.join('p.db');
    fs.writeFileSync(file, '');
    fs.chownSync(file, 4321, 4321);

    expect(() => ensurePrivateFile(file)).toThrow(UnsafePathError);
  });

  asRoot('refuses a base folder link made by another user, naming the owner', () => {
    fs.mkdirSync(tmp.join('real'), { mode: 0o700 });
    fs.symlinkSync(tmp.join('real'), tmp.join('progress'));
    fs.lchownSync(tmp.join('progress'), 4321, 4321);
    expect(thrownBy(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).message).toBe(
      `${tmp.join('progress')} is a symbolic link owned by uid 4321, not by this process's uid 0; ` +
        'only a link you made yourself may stand for the store folder',
    );
  });

  asRoot(
    'accepts a base folder link root made, for a process of another user (root could do anything anyway)',
    () => {
      fs.mkdirSync(tmp.join('real'), { mode: 0o700 });
      fs.chownSync(tmp.join('real'), 4321, 4321);
      fs.symlinkSync(tmp.join('real'), tmp.join('progress'));
      jest.spyOn(process, 'getuid').mockReturnValue(4321);
      try {
        expect(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).not.toThrow();
      } finally {
        jest.restoreAllMocks();
      }
    },
  );

  asRoot("accepts a base folder link the process's own user made", () => {
    fs.mkdirSync(tmp.join('real'), { mode: 0o700 });
    fs.chownSync(tmp.join('real'), 4321, 4321);
    fs.symlinkSync(tmp.join('real'), tmp.join('progress'));
    fs.lchownSync(tmp.join('progress'), 4321, 4321);
    jest.spyOn(process, 'getuid').mockReturnValue(4321);
    try {
      expect(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).not.toThrow();
    } finally {
      jest.restoreAllMocks();
    }
  });

  asRoot('counts every file and link as ours where the platform has no uids', () => {
    fs.writeFileSync(tmp.join('file'), '');
    fs.mkdirSync(tmp.join('real'), { mode: 0o700 });
    fs.symlinkSync(tmp.join('real'), tmp.join('progress'));
    fs.lchownSync(tmp.join('progress'), 4321, 4321);
    const getuid = process.getuid;
    Object.defineProperty(process, 'getuid', { value: undefined, configurable: true, writable: true });
    try {
      expect(() => ensurePrivateDir(tmp.join('progress'), { allowLink: true })).not.toThrow();
      expect(ownedByThisUser({ ...fs.lstatSync(tmp.join('file')), uid: 4321 } as fs.Stats)).toBe(true);
    } finally {
      Object.defineProperty(process, 'getuid', { value: getuid, configurable: true, writable: true });
    }
  });

  asRoot('refuses to read a store folder of another user, as a folder (it is no link)', () => {
    const dir = tmp.join('theirs');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, 4321, 4321);
    expect(thrownBy(() => assertSafeToRead(`${dir}/p.db`)).message).toBe(
      `${dir} is owned by uid 4321, not by this process's uid 0; ` +
        `give it to this user (chown 0 '${dir}') or use another folder`,
    );
  });
});
