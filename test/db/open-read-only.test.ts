import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import {
  CorruptDatabaseError,
  DamagedMigrationRecordsError,
  NotFoundError,
  SchemaTooNewError,
} from '../../src';
import {
  MigrationPendingError,
  openReadOnlyConnection,
  openReadOnlyDatabase,
  openWatchConnection,
} from '../../src/db/open-read-only';
import { openProgressStoreReadOnly } from '../../src/store';
import { dropCellsFromRootPage, flipBytesInPage, overwriteHeader, writeAt } from '../support/damage';
import { closeTestProgressStore, openTestProgressStore } from '../support/progress-store';
import { SHIPPED_MIGRATIONS } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';
import { thrownBy } from '../support/thrown-by';

/** Reading a store never changes it: no file created, migrated, repaired or moved (finding 4). */
const tmp = useTempDir();

function closedStoreWithOneSync(): string {
  const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
  store.recording.startSync({ jobId: 'job-1', files: ['a.ts'] }).finish();
  const dbPath = store.path;
  closeTestProgressStore(store);
  return dbPath;
}

describe('openReadOnlyConnection', () => {
  it('reads a closed store from an in-memory copy: no -wal or -shm appears, the file is untouched', () => {
    const dbPath = closedStoreWithOneSync();
    const before = fs.readFileSync(dbPath);
    const connection = openReadOnlyConnection(dbPath);
    expect(connection.sqlite.prepare('SELECT job_id FROM sync_history').pluck().all()).toEqual(['job-1']);
    expect(listDir(tmp.path)).toEqual(['acme-api.db']);
    expect(() => connection.sqlite.prepare("UPDATE sync_history SET status = 'failed'").run()).toThrow(
      /readonly/,
    );
    connection.sqlite.close();
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  });

  it('reads in place, seeing what the WAL holds, while a store has the file open', () => {
    const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    store.recording.startSync({ jobId: 'in-wal', files: ['a.ts'] }).finish();
    expect(fs.existsSync(`${store.path}-wal`)).toBe(true);
    const connection = openReadOnlyConnection(store.path);
    expect(connection.sqlite.memory).toBe(false);
    expect(connection.sqlite.readonly).toBe(true);
    expect(connection.sqlite.prepare('SELECT job_id FROM sync_history').pluck().all()).toEqual(['in-wal']);
    connection.sqlite.close();
  });

  it('reports a damaged file as CORRUPT and leaves it where it is', () => {
    const dbPath = closedStoreWithOneSync();
    overwriteHeader(dbPath);
    const error = thrownBy(() => openReadOnlyConnection(dbPath));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error).toMatchObject({
      message: `${dbPath}: file is not a database`,
      cause: expect.objectContaining({ code: 'SQLITE_NOTADB' }),
    });
    expect(listDir(tmp.path)).toEqual(['acme-api.db']);
    fs.rmSync(dbPath);
    // (The damage helper's own read-only open leaves -wal/-shm; the read below adds nothing.)
    flipBytesInPage(closedStoreWithOneSync(), 'sync_history');
    const files = listDir(tmp.path);
    expect(() => openReadOnlyConnection(dbPath)).toThrow(CorruptDatabaseError);
    expect(listDir(tmp.path)).toEqual(files);
  });

  it('reports a file behind or ahead of the shipped schema, without migrating it', () => {
    const dbPath = closedStoreWithOneSync();
    const newest = SHIPPED_MIGRATIONS.at(-1)!.folderMillis;
    const edit = (sql: string, ...params: unknown[]) => {
      const db = new BetterSqlite3(dbPath);
      db.prepare(sql).run(...params);
      db.close();
    };
    edit(
      'INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)',
      'f'.repeat(64),
      newest + 1000,
    );
    expect(() => openReadOnlyConnection(dbPath)).toThrow(SchemaTooNewError);
    expect(() => openReadOnlyConnection(dbPath)).toThrow(
      `${dbPath} was migrated by a newer cidx-progress; upgrade cidx-progress to read it`,
    );
    edit('DELETE FROM "__drizzle_migrations" WHERE created_at >= ?', newest);
    // A record deleted over tables that are there: damaged bookkeeping, not a file behind.
    expect(() => openReadOnlyConnection(dbPath)).toThrow(DamagedMigrationRecordsError);
    // Behind for real: the latest migration (0003, two indexes dropped) undone as well.
    edit('CREATE INDEX `progress_updates_timestamp_idx` ON `progress_updates` (`timestamp`)');
    edit('CREATE INDEX `checkpoints_created_at_idx` ON `checkpoints` (`created_at`)');
    expect(() => openReadOnlyConnection(dbPath)).toThrow(/behind this version's schema/);

    const unmigrated = tmp.join('unmigrated.db');
    const db = new BetterSqlite3(unmigrated);
    db.exec(
      'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
    );
    db.close();
    expect(() => openReadOnlyConnection(unmigrated)).toThrow(MigrationPendingError);
    expect(() => openReadOnlyConnection(unmigrated)).toThrow(/has not been migrated yet/);
  });

  it('names the first three problems quick_check finds', () => {
    const dbPath = closedStoreWithOneSync();
    dropCellsFromRootPage(dbPath, 'sync_history', 0); // its one row lost: five rows of problems
    const error = thrownBy(() => openReadOnlyConnection(dbPath));
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    expect(error.message).toMatch(
      /^quick_check found damage: \*\*\* in database main \*\*\*\n[^;]+; wrong # of entries in index sync_history_\w+; wrong # of entries in index sync_history_\w+$/,
    );
  });

  it('reports a file SQLite cannot open as a store error naming it', () => {
    const dbPath = closedStoreWithOneSync();
    writeAt(dbPath, 18, Buffer.from([1, 2])); // file format versions no SQLite writes
    expect(thrownBy(() => openReadOnlyConnection(dbPath))).toMatchObject({
      code: 'STORAGE',
      message: `open ${dbPath} read-only: unable to open database file`,
    });
  });

  it('is NOT_FOUND for a missing file, and creates none', () => {
    const missing = tmp.join('nothing.db');
    expect(() => openReadOnlyConnection(missing)).toThrow(NotFoundError);
    expect(() => openReadOnlyConnection(missing)).toThrow(`no store file at ${missing}`);
    expect(listDir(tmp.path)).toEqual([]);
  });

  it('a read-only store answers the reading services and refuses writes', () => {
    closedStoreWithOneSync();
    const store = openProgressStoreReadOnly({ projectId: 'acme-api', dir: tmp.path, onWarning: () => {} });
    try {
      expect(store.resume.checkResumable()).toBeNull();
      expect(store.status.list()).toEqual([]);
      expect(store.metrics.report({ days: 30 })).toMatchObject({ empty: false });
      expect(() => store.recording.startSync()).toThrow(/readonly/);
    } finally {
      store.close();
    }
    expect(listDir(tmp.path)).toEqual(['acme-api.db']);
  });
});

describe('openWatchConnection', () => {
  it('opens the file in place, read-only', () => {
    const dbPath = closedStoreWithOneSync();
    const connection = openWatchConnection(dbPath);
    try {
      expect(connection.sqlite.memory).toBe(false);
      expect(connection.sqlite.readonly).toBe(true);
      expect(connection.sqlite.prepare('SELECT job_id FROM sync_history').pluck().all()).toEqual(['job-1']);
    } finally {
      connection.sqlite.close();
    }
  });

  it('refuses a missing file with a store error naming it, and creates none', () => {
    const missing = tmp.join('missing.db');
    const error = thrownBy(() => openWatchConnection(missing));
    expect(error).toMatchObject({
      code: 'STORAGE',
      message: `open ${missing} read-only: unable to open database file`,
    });
    expect(listDir(tmp.path)).toEqual([]);
  });
});

describe('openReadOnlyDatabase', () => {
  afterEach(() => jest.restoreAllMocks());

  it('copies a file of at most the snapshot size into memory, and opens a larger one in place', () => {
    const dbPath = closedStoreWithOneSync();
    const size = fs.statSync(dbPath).size;
    const atTheLimit = openReadOnlyDatabase(dbPath, 2000, size);
    expect(atTheLimit.memory).toBe(true);
    atTheLimit.close();
    const overIt = openReadOnlyDatabase(dbPath, 2000, size - 1);
    expect(overIt.memory).toBe(false);
    expect(overIt.readonly).toBe(true);
    overIt.close();
  });

  it.each([
    [3, 3],
    [1, 2],
    [2, 3],
  ])(
    'refuses a header of file format versions %i/%i (not both WAL) instead of rewriting it into one it reads',
    (write, read) => {
      const dbPath = closedStoreWithOneSync();
      writeAt(dbPath, 18, Buffer.from([write, read]));
      expect(() => {
        const db = openReadOnlyDatabase(dbPath);
        try {
          db.prepare('SELECT count(*) FROM sync_history').get();
        } finally {
          db.close();
        }
      }).toThrow(/^(file is not a database|unable to open database file)$/);
    },
  );

  it('reads in place when a writer starts while the file is being copied, seeing what it wrote', () => {
    const dbPath = closedStoreWithOneSync();
    const realRead = fs.readFileSync;
    let writer: ReturnType<typeof openTestProgressStore> | undefined;
    jest.spyOn(fs, 'readFileSync').mockImplementation((file, ...rest) => {
      const bytes = realRead(file, ...rest);
      if (file === dbPath && !writer) {
        writer = openTestProgressStore(tmp.path, { autoMaintenance: false });
        writer.store.recording.startSync({ jobId: 'while-copying', files: ['b.ts'] }).finish();
      }
      return bytes;
    });
    const db = openReadOnlyDatabase(dbPath);
    try {
      expect(db.memory).toBe(false);
      expect(db.prepare('SELECT job_id FROM sync_history ORDER BY job_id').pluck().all()).toEqual([
        'job-1',
        'while-copying',
      ]);
    } finally {
      db.close();
      closeTestProgressStore(writer!.store);
    }
  });
});
