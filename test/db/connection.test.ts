import fs from 'node:fs';
import Database from 'better-sqlite3';
import { DEFAULT_LOCK_TIMEOUT_MS } from '../../src/db/busy-retry';
import { openConnection } from '../../src/db/connection';
import { StorageError } from '../../src/errors';
import { useTempDir } from '../support/temp-dir';
import { thrownBy } from '../support/thrown-by';

// Every connection needs the same settings; several are easy to lose (synchronous stays
// FULL on the connection that turned WAL on; auto_vacuum only works from creation).
describe('openConnection', () => {
  const tmp = useTempDir();
  const opened: { close(): void }[] = [];
  afterEach(() => opened.splice(0).forEach((db) => db.close()));

  function open(...args: Parameters<typeof openConnection>) {
    const connection = openConnection(...args);
    opened.push(connection.sqlite);
    return connection;
  }

  it('creates missing folders and the file, with WAL, synchronous=NORMAL and incremental auto-vacuum', () => {
    const dbPath = tmp.join('a', 'b', 'p.db');
    const { sqlite, path: openedPath, orm } = open(dbPath);

    expect(openedPath).toBe(dbPath);
    expect(fs.existsSync(dbPath)).toBe(true);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(sqlite.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    expect(orm).toBeDefined();
  });

  it('keeps auto_vacuum=INCREMENTAL in the file itself, for the next connection', () => {
    const dbPath = tmp.join('p.db');
    const first = open(dbPath);
    first.sqlite.exec('CREATE TABLE t (x)');
    first.sqlite.close();

    const raw = new Database(dbPath);
    opened.push(raw);
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('uses a 100 ms busy timeout and the default lock bound unless told otherwise', () => {
    const connection = open(tmp.join('p.db'));
    expect(connection.sqlite.pragma('busy_timeout', { simple: true })).toBe(100);
    expect(connection.lockTimeoutMs).toBe(DEFAULT_LOCK_TIMEOUT_MS);
  });

  it('takes the busy timeout and the lock bound from options', () => {
    const connection = open(tmp.join('p.db'), { busyTimeoutMs: 25, lockTimeoutMs: 1234 });
    expect(connection.sqlite.pragma('busy_timeout', { simple: true })).toBe(25);
    expect(connection.lockTimeoutMs).toBe(1234);
  });

  it('gives a new file incremental auto-vacuum without a VACUUM: it has no pages to rewrite', () => {
    const exec = jest.spyOn(Database.prototype, 'exec');
    try {
      const { sqlite } = open(tmp.join('p.db'));
      expect(sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(exec).not.toHaveBeenCalledWith('VACUUM');
    } finally {
      exec.mockRestore();
    }
  });

  it('switches a file created without auto-vacuum to INCREMENTAL (by VACUUM) without losing data', () => {
    const dbPath = tmp.join('p.db');
    const plain = new Database(dbPath);
    plain.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    expect(plain.pragma('auto_vacuum', { simple: true })).toBe(0);
    plain.close();

    const { sqlite } = open(dbPath);
    expect(sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(sqlite.prepare('SELECT x FROM t').all()).toEqual([{ x: 'kept' }]);
  });

  it('fails with a StorageError when the folder cannot be created', () => {
    // A regular file where the folder should be.
    fs.writeFileSync(tmp.join('not-a-dir'), '');
    const dbPath = tmp.join('not-a-dir', 'p.db');
    const error = thrownBy(() => open(dbPath));
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(
      `open ${dbPath}: EEXIST: file already exists, mkdir '${tmp.join('not-a-dir')}'`,
    );
  });
});
