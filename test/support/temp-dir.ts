import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  /** The current test's folder (a fresh one for every test). */
  readonly path: string;
  /** A path inside the current test's folder. */
  join(...parts: string[]): string;
}

/**
 * A fresh folder under os.tmpdir() for every test of the calling file, removed after the
 * test. Call at the top of a test file or describe block:
 *
 *   const tmp = useTempDir();
 *   it('…', () => { const dbPath = tmp.join('p.db'); … });
 */
export function useTempDir(prefix = 'cidx-progress-test-'): TempDir {
  let current: string | undefined;

  beforeEach(() => {
    current = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });

  afterEach(() => {
    if (current) fs.rmSync(current, { recursive: true, force: true });
    current = undefined;
  });

  const get = (): string => {
    if (!current) throw new Error('useTempDir: the folder only exists while a test runs');
    return current;
  };

  return {
    get path() {
      return get();
    },
    join: (...parts: string[]) => path.join(get(), ...parts),
  };
}

/** Names in a folder, sorted, so tests can compare what is on disk. */
export function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Permission bits of a path, e.g. 0o600. */
export function modeOf(target: string): number {
  return fs.statSync(target).mode & 0o777;
}
