import fs from 'node:fs';
import { assertSafeToRead, ensurePrivateExisting, lstatIfExists } from '../../src/db/file-modes';
import { UnsafePathError } from '../../src/errors';
import { thrownBy } from '../support/thrown-by';
import { modeOf, useTempDir } from '../support/temp-dir';

// Between the lstat that judges a file and the open that tightens it, another process of
// the same user could put a link or another file in its place. The open refuses to follow
// a link (O_NOFOLLOW) and the descriptor's inode must be the one judged. The swap is made
// at the one moment it matters: inside the open call, just before the real open.
describe('a store file swapped between its check and its chmod', () => {
  const tmp = useTempDir();
  afterEach(() => jest.restoreAllMocks());

  /** A file wider than 0600, so it will be opened to be tightened, and a swap made at that open. */
  function wideFileSwappedAtOpen(swap: (file: string) => void): string {
    const file = tmp.join('p.db');
    fs.writeFileSync(file, 'store');
    fs.chmodSync(file, 0o644);
    const realOpen = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation((target, ...rest) => {
      if (target === file) swap(file);
      return realOpen(target, ...rest);
    });
    return file;
  }

  it('refuses a link put in its place, and chmods nothing through it', () => {
    const elsewhere = tmp.join('elsewhere');
    fs.writeFileSync(elsewhere, 'not the store');
    fs.chmodSync(elsewhere, 0o644);
    const file = wideFileSwappedAtOpen((f) => {
      fs.unlinkSync(f);
      fs.symlinkSync(elsewhere, f);
    });
    const error = thrownBy(() => ensurePrivateExisting(file));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(`${file} is a symbolic link; the store never follows links inside its folder`);
    expect(modeOf(elsewhere)).toBe(0o644);
  });

  it('refuses another file put in its place, and leaves that file as it was', () => {
    const other = tmp.join('other');
    fs.writeFileSync(other, 'another file');
    fs.chmodSync(other, 0o644);
    const file = wideFileSwappedAtOpen((f) => fs.renameSync(other, f));
    const error = thrownBy(() => ensurePrivateExisting(file));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(`${file} changed while it was being checked`);
    expect(modeOf(file)).toBe(0o644);
  });

  it('passes on an open that fails for another reason, as it came', () => {
    const file = wideFileSwappedAtOpen((f) => fs.unlinkSync(f));
    expect(thrownBy(() => ensurePrivateExisting(file))).toMatchObject({ code: 'ENOENT' });
  });
});

describe('paths under a file', () => {
  const tmp = useTempDir();

  it('lstatIfExists answers undefined for a path whose parent is a file (ENOTDIR), as for a missing one', () => {
    const file = tmp.join('plain');
    fs.writeFileSync(file, '');
    expect(lstatIfExists(`${file}/child`)).toBeUndefined();
    expect(lstatIfExists(tmp.join('missing'))).toBeUndefined();
  });

  it('assertSafeToRead refuses a store folder that is a file, naming it', () => {
    const notAFolder = tmp.join('progress');
    fs.writeFileSync(notAFolder, '');
    const error = thrownBy(() => assertSafeToRead(`${notAFolder}/acme.db`));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(`${notAFolder} is not a folder`);
  });
});
