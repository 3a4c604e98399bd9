import Database from 'better-sqlite3';
import { toStoreError } from '../../src/db/sqlite-errors';
import {
  EXPECTED_TABLES,
  FULL_CHECK_MAX_BYTES,
  structuralDamage,
  verifyIntegrity,
  verifySchema,
} from '../../src/db/integrity';
import { CorruptDatabaseError } from '../../src/errors';
import {
  damageFirstRecordHeader,
  dropCellsFromRootPage,
  flipBytesInPage,
  rootPageOf,
  writeAt,
} from '../support/damage';
import { closeTestStore, openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';
import { thrownBy } from '../support/thrown-by';

describe('verifyIntegrity', () => {
  const tmp = useTempDir();
  const opened: Database.Database[] = [];
  afterEach(() => opened.splice(0).forEach((db) => db.close()));
  const raw = (file: string) => {
    const db = new Database(file);
    opened.push(db);
    return db;
  };

  /** A store file with a few sync rows, optionally padded past the full-check size. */
  function storeFile(options: { padBytes?: number; totalBytes?: number } = {}): string {
    const dbPath = tmp.join('p.db');
    const connection = openTestStore(dbPath);
    const { sqlite } = connection;
    const insert = sqlite.prepare(
      "INSERT INTO sync_history (job_id, project_id, start_time, last_activity_at, phases) VALUES (?, 'proj', 1, 1, '[]')",
    );
    for (let i = 0; i < 5; i++) insert.run(`job-${i}`);
    if (options.padBytes) {
      // A big non-critical table: the kind of bulk a real file has in progress_updates.
      sqlite.exec('CREATE TABLE filler (b BLOB)');
      sqlite.prepare('INSERT INTO filler VALUES (zeroblob(?))').run(options.padBytes);
    }
    if (options.totalBytes) growTo(sqlite, options.totalBytes);
    closeTestStore(connection);
    return dbPath;
  }

  /** Pages added a few at a time until the file is exactly `bytes` long (a whole number of pages). */
  function growTo(sqlite: Database.Database, bytes: number): void {
    const size = () =>
      (sqlite.pragma('page_count', { simple: true }) as number) *
      (sqlite.pragma('page_size', { simple: true }) as number);
    sqlite.exec('CREATE TABLE growth (b BLOB)');
    const insert = sqlite.prepare('INSERT INTO growth VALUES (zeroblob(?))');
    insert.run(Math.max(0, bytes - size() - 256 * 1024));
    while (size() < bytes) insert.run(200);
    expect(size()).toBe(bytes);
  }

  it('passes a healthy file', () => {
    expect(() => verifyIntegrity(raw(storeFile()))).not.toThrow();
  });

  it('reports damaged pages that quick_check returns as rows (it does not throw) as CorruptDatabaseError', () => {
    const dbPath = storeFile();
    flipBytesInPage(dbPath, 'sync_history');
    expect(() => verifyIntegrity(raw(dbPath))).toThrow(CorruptDatabaseError);
    expect(() => verifyIntegrity(raw(dbPath))).toThrow(/quick_check found damage:[\s\S]*out of range/);
  });

  it('names the first three of many problems, separated by semicolons', () => {
    const dbPath = storeFile();
    dropCellsFromRootPage(dbPath, 'sync_history', 3); // 5 rows in the table, 5 entries in each index
    const db = raw(dbPath);
    const lines = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    expect(lines).toHaveLength(6); // the lost bytes, and 5 indexes with the wrong number of entries
    expect(lines[5]).toMatch(/^wrong # of entries in index sync_history_/);
    const error = thrownBy(() => verifyIntegrity(db));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error.message).toBe(`quick_check found damage: ${lines[0]}; ${lines[1]}; ${lines[2]}`);
  });

  it('finds a damaged row behind more rows that break a CHECK rule than quick_check reports (100)', () => {
    const dbPath = storeFile();
    const db = raw(dbPath);
    db.pragma('ignore_check_constraints = ON'); // as an older or buggy writer could have
    const insert = db.prepare(
      "INSERT INTO sync_history (job_id, project_id, status, start_time, last_activity_at, phases) VALUES (?, 'proj', 'bogus', 1, 1, '[]')",
    );
    for (let i = 0; i < 150; i++) insert.run(`bad-${i}`);
    db.prepare(
      "INSERT INTO progress_updates (job_id, timestamp, elapsed_ms, phase, overall_progress, phase_progress, files_processed, total_files, rate) VALUES ('job-0', 1, 0, 'Indexing Files', 1, 1, 1, 1, 1)",
    ).run();
    db.close();
    damageFirstRecordHeader(dbPath, 'progress_updates'); // its rows are read after sync_history's

    const error = thrownBy(() => verifyIntegrity(raw(dbPath)));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error.message).toBe('quick_check found damage: database disk image is malformed');
  });

  it('lets a garbage header surface as SQLITE_NOTADB, which maps to CORRUPT', () => {
    const dbPath = storeFile();
    writeAt(dbPath, 0, Buffer.alloc(100, 0x5a));
    let thrown: unknown;
    try {
      verifyIntegrity(raw(dbPath));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SQLITE_NOTADB' });
    expect(toStoreError(thrown, 'open')).toBeInstanceOf(CorruptDatabaseError);
  });

  describe(`on a file larger than ${FULL_CHECK_MAX_BYTES} bytes`, () => {
    it('still finds damage in a critical table (sync_history)', () => {
      const dbPath = storeFile({ padBytes: FULL_CHECK_MAX_BYTES + 1024 * 1024 });
      flipBytesInPage(dbPath, 'sync_history');
      expect(() => verifyIntegrity(raw(dbPath))).toThrow(CorruptDatabaseError);
    });

    it('checks only the critical tables, so its cost does not grow with the bulk of the file', () => {
      // The trade-off made on purpose: damage in a bulk table goes unnoticed at open.
      const dbPath = storeFile({ padBytes: FULL_CHECK_MAX_BYTES + 1024 * 1024 });
      const { page, pageSize } = rootPageOf(dbPath, 'progress_updates');
      writeAt(dbPath, (page - 1) * pageSize, Buffer.alloc(16, 0xee));
      expect(() => verifyIntegrity(raw(dbPath))).not.toThrow();
    });

    it('runs the full check on a file of exactly that size, finding damage in a bulk table', () => {
      const dbPath = storeFile({ totalBytes: FULL_CHECK_MAX_BYTES });
      const { page, pageSize } = rootPageOf(dbPath, 'progress_updates');
      writeAt(dbPath, (page - 1) * pageSize, Buffer.alloc(16, 0xee));
      // As on a small file: quick_check itself fails (SQLITE_CORRUPT), which open maps to CORRUPT.
      expect(() => verifyIntegrity(raw(dbPath))).toThrow('database disk image is malformed');
    });

    it('checks the critical tables the file has: a missing one is for verifySchema to name, not an error here', () => {
      const dbPath = storeFile({ padBytes: FULL_CHECK_MAX_BYTES + 1024 * 1024 });
      const db = raw(dbPath);
      db.exec('DROP TABLE store_meta');
      expect(() => verifyIntegrity(db)).not.toThrow();
    });

    it('runs a full check when the file is small enough, finding that same damage', () => {
      const dbPath = storeFile();
      const { page, pageSize } = rootPageOf(dbPath, 'progress_updates');
      writeAt(dbPath, (page - 1) * pageSize, Buffer.alloc(16, 0xee));
      expect(() => verifyIntegrity(raw(dbPath))).toThrow();
    });
  });
});

describe('verifySchema', () => {
  const tmp = useTempDir();

  it('passes a migrated file', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    expect(() => verifySchema(sqlite)).not.toThrow();
  });

  it('fails with CorruptDatabaseError naming each missing table', () => {
    const db = new Database(tmp.join('bare.db'));
    try {
      db.exec('CREATE TABLE sync_history (x); CREATE TABLE store_meta (x)');
      const missing = EXPECTED_TABLES.filter((t) => t !== 'sync_history' && t !== 'store_meta');
      expect(() => verifySchema(db)).toThrow(CorruptDatabaseError);
      expect(() => verifySchema(db)).toThrow(`the schema is incomplete: missing ${missing.join(', ')}`);
    } finally {
      db.close();
    }
  });
});

describe('structuralDamage', () => {
  const tmp = useTempDir();

  it.each([0, 1])('leaves ignore_check_constraints at %s, as it found it', (before) => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    sqlite.pragma(`ignore_check_constraints = ${before}`);
    expect(structuralDamage(sqlite)).toEqual([]);
    expect(sqlite.pragma('ignore_check_constraints', { simple: true })).toBe(before);
  });
});
