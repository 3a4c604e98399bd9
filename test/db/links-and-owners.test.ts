import fs from 'node:fs';
import { UnsafePathError } from '../../src/errors';
import { assertNotLink, ensurePrivateDir, ensurePrivateFile, lstatIfExists } from '../../src/db/file-modes';
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
});
