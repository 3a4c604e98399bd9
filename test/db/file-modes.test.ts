import fs from 'node:fs';
import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile } from '../../src/db/file-modes';
import { openTestStore } from '../support/store';
import { modeOf, useTempDir } from '../support/temp-dir';

// Progress files reveal what is being indexed; only their owner may read them. SQLite
// creates files 0644 (less umask) and Node ignores `mode` for paths that exist, so both
// the creation and the tightening of old, wider files need checking.
describe('file modes of the store', () => {
  const tmp = useTempDir();
  let savedUmask: number;
  // A permissive umask, so a 0600 result is the code's doing and not the environment's.
  beforeEach(() => {
    savedUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(savedUmask);
  });

  it('creates the folder 0700 and the file, -wal and -shm 0600', () => {
    const dir = tmp.join('progress');
    const dbPath = `${dir}/p.db`;
    const connection = openTestStore(dbPath);
    connection.sqlite.prepare("INSERT INTO store_meta (key, value) VALUES ('last_vacuum_at', 1)").run();

    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(dbPath)).toBe(0o600);
    expect(fs.existsSync(`${dbPath}-wal`)).toBe(true);
    expect(modeOf(`${dbPath}-wal`)).toBe(0o600);
    expect(modeOf(`${dbPath}-shm`)).toBe(0o600);
  });

  it('tightens a folder and files that already existed with 0755 / 0644', () => {
    const dir = tmp.join('progress');
    const dbPath = `${dir}/p.db`;
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    // A file left by an older version: WAL mode, with its -wal and -shm present
    // (kept open by this connection), all world-readable.
    const old = new Database(dbPath);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE leftover (x)');
    for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) fs.chmodSync(f, 0o644);
    try {
      openTestStore(dbPath);

      expect(modeOf(dir)).toBe(0o700);
      expect(modeOf(dbPath)).toBe(0o600);
      expect(modeOf(`${dbPath}-wal`)).toBe(0o600);
      expect(modeOf(`${dbPath}-shm`)).toBe(0o600);
    } finally {
      old.close();
    }
  });

  describe('ensurePrivateDir / ensurePrivateFile', () => {
    it('create missing parents owner-only', () => {
      ensurePrivateDir(tmp.join('a', 'b'));
      expect(modeOf(tmp.join('a'))).toBe(0o700);
      expect(modeOf(tmp.join('a', 'b'))).toBe(0o700);
    });

    it('leave an existing file’s content alone while tightening it', () => {
      const file = tmp.join('f.db');
      fs.writeFileSync(file, 'content', { mode: 0o666 });
      fs.chmodSync(file, 0o666);
      ensurePrivateFile(file);
      expect(modeOf(file)).toBe(0o600);
      expect(fs.readFileSync(file, 'utf8')).toBe('content');
    });

    it('report errors other than "already exists"', () => {
      expect(() => ensurePrivateFile(tmp.join('missing-folder', 'f.db'))).toThrow(/ENOENT/);
    });
  });

  it('leaves a folder that is already 0700 alone, and closes what it opens to tighten a file', () => {
    const dir = tmp.join('progress');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const file = tmp.join('progress', 'p.db');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o644);
    const open = jest.spyOn(fs, 'openSync');
    const close = jest.spyOn(fs, 'closeSync');
    try {
      ensurePrivateDir(dir);
      expect(open).not.toHaveBeenCalled();
      ensurePrivateFile(file);
      // The descriptors opened (the create-if-missing open fails: the file exists).
      const opened = open.mock.results.filter((r) => r.type === 'return').map((r) => r.value as number);
      expect(opened.length).toBeGreaterThan(0);
      expect(close.mock.calls.map(([fd]) => fd)).toEqual(opened);
      expect(modeOf(file)).toBe(0o600);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
