import fs from 'node:fs';
import path from 'node:path';
import { openProgressStore, type ProgressStoreOptions, UnsafePathError } from '../../src';
import { modeOf, useTempDir } from '../support/temp-dir';

// Through the public API: nothing outside {dir} is created, written or chmodded through a
// link, a folder or file of another user is refused with how to fix it, and loose modes are
// tightened (issue 11, findings 3 and 4). CI runs as root, so the ownership cases run there.
const tmp = useTempDir();
const asRoot = process.getuid?.() === 0 ? it : it.skip;
const OTHER_UID = 4321;

function openIn(dir: string, extra: Partial<ProgressStoreOptions> = {}) {
  return openProgressStore({ projectId: 'p', dir, onWarning: () => {}, autoMaintenance: false, ...extra });
}

function refusalOf(run: () => unknown): UnsafePathError {
  try {
    const store = run() as { close?: () => void };
    store?.close?.();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafePathError);
    return error as UnsafePathError;
  }
  throw new Error('expected UnsafePathError');
}

describe('openProgressStore and links inside the folder', () => {
  it('refuses {dir}/p.db as a link to a missing file, naming the path, and never creates the target', () => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = tmp.join('outside', 'stolen.db');
    fs.mkdirSync(path.dirname(target));
    fs.symlinkSync(target, path.join(dir, 'p.db'));

    const error = refusalOf(() => openIn(dir));
    expect(error.code).toBe('UNSAFE_PATH');
    expect(error.path).toBe(path.join(dir, 'p.db'));
    expect(error.message).toContain(path.join(dir, 'p.db'));
    expect(error.message).toMatch(/symbolic link/);
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
  });

  it('leaves an existing target’s bytes and mode alone', () => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    const target = tmp.join('system-file');
    fs.writeFileSync(target, 'keep me', { mode: 0o644 });
    fs.chmodSync(target, 0o644);
    fs.symlinkSync(target, path.join(dir, 'p.db'));
    const before = fs.statSync(target);

    expect(refusalOf(() => openIn(dir)).path).toBe(path.join(dir, 'p.db'));
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
    expect(modeOf(target)).toBe(0o644);
    expect(fs.statSync(target).mtimeMs).toBe(before.mtimeMs);
    expect(fs.existsSync(`${target}-wal`)).toBe(false);
  });

  it('accepts a base folder that is a link its owner made, and tightens its target', () => {
    const real = tmp.join('real');
    fs.mkdirSync(real, { mode: 0o755 });
    fs.chmodSync(real, 0o755);
    fs.symlinkSync(real, tmp.join('progress'));
    openIn(tmp.join('progress')).close();
    expect(modeOf(real)).toBe(0o700);
    expect(modeOf(path.join(real, 'p.db'))).toBe(0o600);
  });

  it('refuses a base folder that is a link to nothing, creating nothing', () => {
    fs.symlinkSync(tmp.join('gone'), tmp.join('progress'));
    expect(refusalOf(() => openIn(tmp.join('progress'))).path).toBe(tmp.join('progress'));
    expect(fs.existsSync(tmp.join('gone'))).toBe(false);
  });

  it('tightens a group- and world-writable folder and files', () => {
    const dir = tmp.join('progress');
    openIn(dir).close();
    fs.chmodSync(dir, 0o777);
    for (const f of ['p.db', 'p.db-wal', 'p.db-shm'])
      if (fs.existsSync(path.join(dir, f))) fs.chmodSync(path.join(dir, f), 0o666);
    openIn(dir).close();
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(dir, 'p.db'))).toBe(0o600);
  });

  it('refuses a shared folder with the sticky bit (like /tmp) rather than chmodding it', () => {
    const shared = tmp.join('shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const error = refusalOf(() => openIn(shared));
    expect(error.message).toMatch(/shared folder/);
    expect(fs.statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(fs.readdirSync(shared)).toEqual([]);
  });

  asRoot('refuses a folder of another user, saying how to fix it, and leaves its mode alone', () => {
    const dir = tmp.join('theirs');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fs.chownSync(dir, OTHER_UID, OTHER_UID);

    const error = refusalOf(() => openIn(dir));
    expect(error.path).toBe(dir);
    expect(error.message).toMatch(new RegExp(`owned by uid ${OTHER_UID}`));
    expect(error.message).toMatch(/chown/);
    expect(modeOf(dir)).toBe(0o755);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  asRoot('refuses a store file of another user', () => {
    const dir = tmp.join('progress');
    openIn(dir).close();
    fs.chownSync(path.join(dir, 'p.db'), OTHER_UID, OTHER_UID);
    expect(refusalOf(() => openIn(dir)).path).toBe(path.join(dir, 'p.db'));
  });

  asRoot('refuses a base folder that is a link made by another user', () => {
    const real = tmp.join('real');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.symlinkSync(real, tmp.join('progress'));
    fs.lchownSync(tmp.join('progress'), OTHER_UID, OTHER_UID);
    expect(refusalOf(() => openIn(tmp.join('progress'))).message).toMatch(/link .*owned by uid 4321/);
    expect(fs.readdirSync(real)).toEqual([]);
  });
});
