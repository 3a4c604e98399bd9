import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultProgressDir, resolveStoreLocation } from '../../src/config/store-paths';
import { ValidationError } from '../../src/errors';
import { listDir, useTempDir } from '../support/temp-dir';

describe('resolveStoreLocation', () => {
  const tmp = useTempDir();

  it('puts {projectId}.db in the folder given by `dir`', () => {
    const location = resolveStoreLocation({ projectId: 'proj', dir: tmp.join('base') });
    expect(location).toEqual({
      projectId: 'proj',
      dir: tmp.join('base'),
      dbPath: tmp.join('base', 'proj.db'),
    });
  });

  it('makes a relative `dir` absolute', () => {
    const location = resolveStoreLocation({ projectId: 'proj', dir: 'relative/base' });
    expect(location.dir).toBe(path.resolve('relative/base'));
    expect(path.isAbsolute(location.dbPath)).toBe(true);
  });

  it('uses $CIDX_HOME/progress when no `dir` is given', () => {
    const location = resolveStoreLocation({ projectId: 'proj', env: { CIDX_HOME: tmp.path } });
    expect(location.dbPath).toBe(path.join(tmp.path, 'progress', 'proj.db'));
  });

  it('prefers `dir` over CIDX_HOME', () => {
    const location = resolveStoreLocation({ projectId: 'proj', dir: tmp.join('explicit'), env: { CIDX_HOME: tmp.join('home') } });
    expect(location.dir).toBe(tmp.join('explicit'));
  });

  it('defaults to ~/.cidx/progress without `dir` or CIDX_HOME (an empty CIDX_HOME counts as unset)', () => {
    const expected = path.join(os.homedir(), '.cidx', 'progress', 'proj.db');
    expect(resolveStoreLocation({ projectId: 'proj', env: {} }).dbPath).toBe(expected);
    expect(resolveStoreLocation({ projectId: 'proj', env: { CIDX_HOME: '' } }).dbPath).toBe(expected);
  });

  it('reads process.env when no env is passed', () => {
    const saved = process.env.CIDX_HOME;
    process.env.CIDX_HOME = tmp.path;
    try {
      expect(defaultProgressDir()).toBe(path.join(tmp.path, 'progress'));
      expect(resolveStoreLocation({ projectId: 'proj' }).dir).toBe(path.join(tmp.path, 'progress'));
    } finally {
      if (saved === undefined) delete process.env.CIDX_HOME;
      else process.env.CIDX_HOME = saved;
    }
  });

  it.each(['../x', '/etc/x', '', 'a'.repeat(129), 'a\0b', '.hidden'])(
    'rejects the project id %p with a ValidationError and creates nothing on disk',
    (projectId) => {
      const base = tmp.join('base');
      expect(() => resolveStoreLocation({ projectId, dir: base })).toThrow(ValidationError);
      expect(fs.existsSync(base)).toBe(false);
      expect(listDir(tmp.path)).toEqual([]);
    },
  );
});
