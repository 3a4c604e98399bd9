import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultProgressDir, resolveStoreLocation } from '../../src/config/store-paths';
import { openProgressStore } from '../../src';
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
    const location = resolveStoreLocation({
      projectId: 'proj',
      dir: tmp.join('explicit'),
      env: { CIDX_HOME: tmp.join('home') },
    });
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

// CIDX_HOME comes from a shell: `~` unexpanded, a relative value, or a trailing newline from
// `$(…)` must not become a folder of its own (issue 11, finding 5).
describe('CIDX_HOME and dir are checked and resolved once', () => {
  const tmp = useTempDir();

  const refusal = (run: () => unknown): ValidationError => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return error as ValidationError;
    }
    throw new Error('expected a ValidationError');
  };

  it('expands ~ and ~/x to the home folder', () => {
    expect(defaultProgressDir({ CIDX_HOME: '~' })).toBe(path.join(os.homedir(), 'progress'));
    expect(defaultProgressDir({ CIDX_HOME: '~/cidx-home' })).toBe(
      path.join(os.homedir(), 'cidx-home', 'progress'),
    );
  });

  it.each([
    ['a relative path', 'relative/home', /must be an absolute path/],
    ['another user’s home, unexpanded', '~someone/x', /must be an absolute path/],
    ['a trailing newline', `/tmp/cidx-home-nl\n`, /control characters/],
    ['a tab', '/tmp/cidx\thome', /control characters/],
    ['a DEL', '/tmp/cidx\u007fhome', /control characters/],
  ])('refuses %s, naming CIDX_HOME', (_what, value, message) => {
    const error = refusal(() => resolveStoreLocation({ projectId: 'proj', env: { CIDX_HOME: value } }));
    expect(error.issues).toEqual([{ path: 'CIDX_HOME', message: expect.stringMatching(message) }]);
    expect(error.message).toContain('CIDX_HOME');
  });

  it('refuses a bad CIDX_HOME at open, creating no folder', () => {
    const saved = process.env.CIDX_HOME;
    process.env.CIDX_HOME = `${tmp.join('home')}\n`;
    try {
      const error = refusal(() => openProgressStore({ projectId: 'proj' }));
      expect(error.issues[0]!.path).toBe('CIDX_HOME');
    } finally {
      if (saved === undefined) delete process.env.CIDX_HOME;
      else process.env.CIDX_HOME = saved;
    }
    expect(listDir(tmp.path)).toEqual([]);
  });

  it('resolves a relative dir against the working folder given, once, and expands ~', () => {
    expect(resolveStoreLocation({ projectId: 'proj', dir: 'rel', cwd: tmp.path }).dir).toBe(tmp.join('rel'));
    expect(resolveStoreLocation({ projectId: 'proj', dir: '~/x' }).dir).toBe(path.join(os.homedir(), 'x'));
  });

  it('refuses a dir with control characters, naming dir', () => {
    const error = refusal(() => resolveStoreLocation({ projectId: 'proj', dir: `${tmp.path}/x\n` }));
    expect(error.issues).toEqual([{ path: 'dir', message: expect.stringMatching(/control characters/) }]);
  });

  it('keeps the folder it resolved at open when the working folder changes later', () => {
    const saved = process.cwd();
    process.chdir(tmp.path);
    try {
      const store = openProgressStore({ projectId: 'proj', dir: 'rel', onWarning: () => {} });
      process.chdir(os.tmpdir());
      store.recording.startSync({ jobId: 'j' }).finish();
      expect(store.path).toBe(path.join(fs.realpathSync(tmp.path), 'rel', 'proj.db'));
      store.close();
    } finally {
      process.chdir(saved);
    }
    expect(fs.existsSync(path.join(os.tmpdir(), 'rel', 'proj.db'))).toBe(false);
  });
});
