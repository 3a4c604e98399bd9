import fs from 'node:fs';
import Database from 'better-sqlite3';
import { QUARANTINE_KEEP } from '../../src/db/quarantine';
import { CorruptDatabaseError } from '../../src/errors';
import { flipBytesInPage, overwriteHeader, rootPageOf, truncateFile, writeAt } from '../support/damage';
import { closeTestStore, openTestStore, SHIPPED_MIGRATIONS } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';

/**
 * A damaged progress file must never stop a sync: at open it is moved aside (kept for a
 * person to look at), a fresh migrated file takes its place, and the caller is warned.
 */
describe('openStoreDatabase on a damaged file', () => {
  const tmp = useTempDir();

  /** A closed store file holding some data, large enough to span many pages. */
  function storeWithData(dbPath: string): void {
    const connection = openTestStore(dbPath);
    const insert = connection.sqlite.prepare(
      "INSERT INTO sync_history (job_id, project_id, start_time, last_activity_at, phases) VALUES (?, 'proj', 1, 1, '[]')",
    );
    const progress = connection.sqlite.prepare(
      "INSERT INTO progress_updates (job_id, timestamp, elapsed_ms, phase, overall_progress, phase_progress, files_processed, total_files, rate) VALUES ('job-0', ?, ?, 'Indexing Files', 50, 50, ?, 5000, 1.5)",
    );
    connection.sqlite.transaction(() => {
      for (let i = 0; i < 5; i++) insert.run(`job-${i}`);
      for (let i = 0; i < 2000; i++) progress.run(i, i, i);
    })();
    closeTestStore(connection);
  }

  function dropTablesKeepingMigrationRecord(dbPath: string, keepOpen = false): Database.Database | undefined {
    const db = new Database(dbPath);
    db.exec('DROP TABLE checkpoints; DROP TABLE sync_history');
    if (keepOpen) return db;
    db.close();
    return undefined;
  }

  /** A healthy, migrated file holding exactly the sync rows `jobIds` (none of the damaged file's). */
  function expectFreshMigratedFile(dbPath: string, jobIds: string[] = []): void {
    // Not readonly: a read-only connection could not remove the -wal/-shm it creates.
    const db = new Database(dbPath);
    try {
      expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get()).toEqual({
        n: SHIPPED_MIGRATIONS.length,
      });
      expect(db.prepare('SELECT job_id FROM sync_history ORDER BY id').pluck().all()).toEqual(jobIds);
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  }

  it.each([
    ['a garbage header', overwriteHeader, 'open {path}: file is not a database'],
    ['a truncated file', (p: string) => truncateFile(p), 'open {path}: database disk image is malformed'],
    [
      'a file cut to less than one page',
      (p: string) => truncateFile(p, 1000),
      'open {path}: database disk image is malformed',
    ],
    [
      'flipped bytes in a page',
      (p: string) => flipBytesInPage(p, 'sync_history'),
      'quick_check found damage: *** in database main ***',
    ],
    [
      "a bulk table's root page overwritten (quick_check itself fails)",
      (p: string) => {
        const { page, pageSize } = rootPageOf(p, 'progress_updates');
        writeAt(p, (page - 1) * pageSize, Buffer.alloc(16, 0xee));
      },
      'open {path}: database disk image is malformed',
    ],
    [
      'tables dropped while __drizzle_migrations says migrated',
      (p: string) => void dropTablesKeepingMigrationRecord(p),
      'the schema is incomplete: missing sync_history, checkpoints',
    ],
  ])(
    '%s is moved aside as {name}.db.corrupt-{timestamp} and replaced by a fresh file',
    (_what, damage, why) => {
      const dbPath = tmp.join('p.db');
      storeWithData(dbPath);
      damage(dbPath);
      const damagedBytes = fs.readFileSync(dbPath);
      const warn = jest.fn();

      const connection = openTestStore(dbPath, { now: () => 1_700_000_000_000, warn });

      const quarantined = `${dbPath}.corrupt-1700000000000`;
      expect(fs.existsSync(quarantined)).toBe(true);
      // The damaged bytes are kept as they were, for a person to inspect.
      expect(fs.readFileSync(quarantined).subarray(0, 100).equals(damagedBytes.subarray(0, 100))).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining(quarantined),
        expect.any(CorruptDatabaseError),
      );
      // The damage, in the words of the check that found it (the first line of quick_check's).
      expect((warn.mock.calls[0]![1] as Error).message.split('\n')[0]).toBe(why.replace('{path}', dbPath));
      // The new file works.
      connection.sqlite
        .prepare(
          "INSERT INTO sync_history (job_id, project_id, start_time, last_activity_at, phases) VALUES ('new', 'proj', 1, 1, '[]')",
        )
        .run();
      closeTestStore(connection);
      expectFreshMigratedFile(dbPath, ['new']);
      expect(listDir(tmp.path)).toEqual(['p.db', 'p.db.corrupt-1700000000000']);
    },
  );

  it('takes the damaged file’s -wal and -shm with it (here kept alive by another open connection)', () => {
    const dbPath = tmp.join('p.db');
    storeWithData(dbPath);
    // The drop lives only in the -wal of this still-open connection: the main file alone
    // still has the tables, so the quarantined copy is only "the damaged file" with its -wal.
    const other = dropTablesKeepingMigrationRecord(dbPath, true)!;
    try {
      expect(fs.existsSync(`${dbPath}-wal`)).toBe(true);
      const connection = openTestStore(dbPath, { now: () => 42 });

      expect(fs.existsSync(`${dbPath}.corrupt-42`)).toBe(true);
      expect(fs.existsSync(`${dbPath}.corrupt-42-wal`)).toBe(true);
      expect(fs.existsSync(`${dbPath}.corrupt-42-shm`)).toBe(true);
      closeTestStore(connection);
    } finally {
      other.close();
    }
    const copy = new Database(`${dbPath}.corrupt-42`, { readonly: true });
    try {
      const tables = (
        copy.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((r) => r.name);
      expect(tables).not.toContain('sync_history');
      expect(tables).toContain('progress_updates');
    } finally {
      copy.close();
    }
  });

  it(`keeps only the newest ${QUARANTINE_KEEP} quarantined copies`, () => {
    const dbPath = tmp.join('p.db');
    for (let i = 1; i <= QUARANTINE_KEEP + 2; i++) {
      storeWithData(dbPath);
      overwriteHeader(dbPath);
      closeTestStore(openTestStore(dbPath, { now: () => i * 1000 }));
    }
    expect(listDir(tmp.path)).toEqual([
      'p.db',
      'p.db.corrupt-3000',
      'p.db.corrupt-4000',
      'p.db.corrupt-5000',
    ]);
  });

  it('opens an empty (zero-length) file as a new store without calling it damaged', () => {
    const dbPath = tmp.join('p.db');
    fs.writeFileSync(dbPath, '');
    const warn = jest.fn();
    closeTestStore(openTestStore(dbPath, { warn }));
    expect(warn).not.toHaveBeenCalled();
    expect(listDir(tmp.path)).toEqual(['p.db']);
    expectFreshMigratedFile(dbPath);
  });
});
