import fs from 'node:fs';
import Database, { SqliteError } from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { isBusy, isCorruption, isStorageFull, sqliteCode, toStoreError } from '../../src/db/sqlite-errors';
import { runInTransaction } from '../../src/db/transaction';
import {
  ConflictError,
  CorruptDatabaseError,
  DatabaseLockedError,
  NotFoundError,
  SchemaTooNewError,
  StorageError,
  StorageFullError,
  ValidationError,
} from '../../src/errors';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** The error a function throws (so tests can look at real driver errors). */
function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

// Where possible the errors are real ones from SQLite, so the mapping is checked against
// what the driver actually throws and not against what we assume it throws.
describe('sqliteCode / toStoreError', () => {
  const tmp = useTempDir();

  it('maps a real SQLITE_BUSY (another connection holds the write lock) to DatabaseLockedError', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const other = new Database(tmp.join('p.db'), { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    try {
      sqlite.pragma('busy_timeout = 0');
      const error = errorOf(() => sqlite.exec('BEGIN IMMEDIATE'));
      expect(sqliteCode(error)).toBe('SQLITE_BUSY');
      expect(isBusy(error)).toBe(true);
      const mapped = toStoreError(error, 'save');
      expect(mapped).toBeInstanceOf(DatabaseLockedError);
      expect(mapped).toMatchObject({ code: 'LOCKED', cause: error });
      expect(mapped.message).toMatch(/^save: /);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('finds the code inside a DrizzleError (db.run(sql…) wraps driver errors in `cause`)', () => {
    const { sqlite, orm } = openTestStore(tmp.join('p.db'));
    const other = new Database(tmp.join('p.db'), { timeout: 0 });
    other.exec('BEGIN IMMEDIATE');
    try {
      sqlite.pragma('busy_timeout = 0');
      const error = errorOf(() => orm.run(sql`INSERT INTO store_meta (key, value) VALUES ('a', 1)`));
      expect((error as Error).constructor.name).toBe('DrizzleError');
      expect((error as { code?: unknown }).code).toBeUndefined();
      expect(sqliteCode(error)).toBe('SQLITE_BUSY');
      expect(toStoreError(error, 'write')).toBeInstanceOf(DatabaseLockedError);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // And a wrapped non-busy error is a plain StorageError.
    const syntax = errorOf(() => orm.run(sql`INSERT INTO no_such_table VALUES (1)`));
    expect(sqliteCode(syntax)).toBe('SQLITE_ERROR');
    expect(toStoreError(syntax, 'write')).toBeInstanceOf(StorageError);
  });

  it('maps a real SQLITE_FULL (max_page_count reached) to StorageFullError, and the transaction is rolled back', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true })}`);
    const put = sqlite.prepare('INSERT INTO store_meta (key, value) VALUES (?, 1)');

    const error = errorOf(() =>
      runInTransaction(sqlite, () => {
        for (let i = 0; i < 100_000; i++) put.run(`key-${i}-${'x'.repeat(200)}`);
      }),
    );

    expect(error).toBeInstanceOf(StorageFullError);
    expect(error).toMatchObject({ code: 'STORAGE_FULL' });
    expect(sqliteCode(error)).toBe('SQLITE_FULL');
    expect(isStorageFull((error as Error).cause)).toBe(true);
    expect(sqlite.inTransaction).toBe(false);
    expect(sqlite.prepare('SELECT count(*) AS n FROM store_meta').get()).toEqual({ n: 0 });
  });

  it('maps SQLITE_IOERR_WRITE (how a file-size limit shows up) to StorageFullError, but not other IO errors', () => {
    // `ulimit -f` cannot be set from inside the test process, so this one is constructed.
    const ioWrite = new SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE');
    expect(toStoreError(ioWrite, 'write')).toBeInstanceOf(StorageFullError);
    const ioRead = new SqliteError('disk I/O error', 'SQLITE_IOERR_READ');
    expect(toStoreError(ioRead, 'read')).toBeInstanceOf(StorageError);
    expect(toStoreError(ioRead, 'read')).not.toBeInstanceOf(StorageFullError);
  });

  it('maps a real SQLITE_NOTADB (garbage header) to CorruptDatabaseError', () => {
    const file = tmp.join('garbage.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const db = new Database(file);
    try {
      const error = errorOf(() => db.prepare('SELECT count(*) FROM sqlite_master').get());
      expect(sqliteCode(error)).toBe('SQLITE_NOTADB');
      expect(isCorruption(error)).toBe(true);
      expect(toStoreError(error, 'open')).toMatchObject({ code: 'CORRUPT' });
    } finally {
      db.close();
    }
  });

  it.each([
    ['SQLITE_CORRUPT', CorruptDatabaseError],
    ['SQLITE_CORRUPT_INDEX', CorruptDatabaseError],
    ['SQLITE_BUSY_SNAPSHOT', DatabaseLockedError],
    ['SQLITE_BUSY_RECOVERY', DatabaseLockedError],
    ['SQLITE_LOCKED', DatabaseLockedError],
    ['SQLITE_LOCKED_SHAREDCACHE', DatabaseLockedError],
    ['SQLITE_FULL', StorageFullError],
    ['SQLITE_CONSTRAINT_UNIQUE', StorageError],
    ['SQLITE_READONLY', StorageError],
  ])('maps the code %s (extended codes by prefix), keeping the message and the cause', (code, expected) => {
    const error = new SqliteError('x', code);
    const mapped = toStoreError(error, 'op');
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped).toMatchObject({ message: 'op: x', cause: error });
  });

  it.each([
    new ValidationError([{ path: 'percent', message: 'too big' }]),
    new NotFoundError('no such job'),
    new ConflictError('already claimed'),
    new SchemaTooNewError('too new'),
    new DatabaseLockedError('locked'),
    new CorruptDatabaseError('damaged'),
  ])('passes the typed error %p through unchanged', (typed) => {
    expect(toStoreError(typed, 'op')).toBe(typed);
  });

  it('wraps anything else in a StorageError keeping the cause, including non-Error values', () => {
    const plain = new Error('ENOSPC? no, something else');
    expect(toStoreError(plain, 'op')).toMatchObject({
      code: 'STORAGE',
      cause: plain,
      message: 'op: ENOSPC? no, something else',
    });
    expect(toStoreError('a string', 'op')).toMatchObject({ code: 'STORAGE', message: 'op: a string' });
    expect(toStoreError(undefined, 'op')).toMatchObject({ code: 'STORAGE', message: 'op: undefined' });
  });

  it('sqliteCode ignores codes that are not SQLite ones and stops at a bounded depth', () => {
    expect(sqliteCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(sqliteCode(null)).toBeUndefined();
    expect(sqliteCode({ cause: { cause: { code: 'SQLITE_BUSY' } } })).toBe('SQLITE_BUSY');
    expect(sqliteCode({ cause: { cause: { cause: { code: 'SQLITE_BUSY' } } } })).toBeUndefined();
    // A cause cycle must not loop forever.
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(sqliteCode(cyclic)).toBeUndefined();
  });
});
