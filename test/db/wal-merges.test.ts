import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { WAL_KEPT_BYTES } from '../../src/db/connection';
import { truncateWal, WAL_BOUND_PAGES, WalMerges } from '../../src/db/wal-merges';
import { openTestProgressStore } from '../support/progress-store';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

// Where WAL merges happen: on the store's timer between calls, with SQLite's automatic
// merge kept as a bound so the WAL never grows without limit (benchmarks: BENCHMARKS.md).
describe('WalMerges', () => {
  const tmp = useTempDir();
  const started: WalMerges[] = [];
  afterEach(() => {
    started.splice(0).forEach((m) => m.stop());
    jest.useRealTimers();
  });

  function merges(sqlite: Database, options: ConstructorParameters<typeof WalMerges>[1] = {}): WalMerges {
    const m = new WalMerges(sqlite, options);
    started.push(m);
    return m;
  }

  /** A table of ~1 KB rows: each insert dirties at least one page. */
  function writeRows(sqlite: Database, count: number): void {
    sqlite.exec('CREATE TABLE IF NOT EXISTS filler (x TEXT)');
    const insert = sqlite.prepare('INSERT INTO filler (x) VALUES (?)');
    for (let i = 0; i < count; i++) insert.run(`${i}`.padEnd(1000, '.'));
  }

  const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

  it("raises SQLite's automatic merge to the bound and keeps a merged WAL file small", () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    merges(sqlite, { boundPages: 100 });
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(100);
    expect(sqlite.pragma('journal_size_limit', { simple: true })).toBe(WAL_KEPT_BYTES);
  });

  it('bounds the WAL file on every store connection, with or without the timer', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    expect(sqlite.pragma('journal_size_limit', { simple: true })).toBe(WAL_KEPT_BYTES);
  });

  it('truncateWal merges everything and cuts the WAL file to zero; never inside a transaction', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    writeRows(sqlite, 300);
    expect(size(`${dbPath}-wal`)).toBeGreaterThan(300 * 1000);
    sqlite.exec('BEGIN');
    expect(truncateWal(sqlite)).toBe(false);
    sqlite.exec('COMMIT');
    expect(size(`${dbPath}-wal`)).toBeGreaterThan(300 * 1000);
    expect(truncateWal(sqlite)).toBe(true);
    expect(size(`${dbPath}-wal`)).toBe(0);
    expect(sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 300 });
  });

  it('truncateWal answers false while a reader holds the WAL, and changes nothing', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath, { busyTimeoutMs: 0 });
    writeRows(sqlite, 50);
    const reader = new BetterSqlite3(dbPath, { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM filler').get();
      expect(truncateWal(sqlite)).toBe(false);
    } finally {
      reader.close();
    }
  });

  it("is on for the store's own connection, with the default bound", () => {
    const { store } = openTestProgressStore(tmp.path);
    const sqlite = store['context'].connection.sqlite;
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BOUND_PAGES);
  });

  it('merges on its timer what was written since the last merge, and nothing when nothing was', () => {
    jest.useFakeTimers();
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const m = merges(sqlite, { intervalMs: 1000, boundPages: 100_000 });
    jest.advanceTimersByTime(1000); // merges what opening (migrations) wrote
    writeRows(sqlite, 300);
    const dbBefore = size(dbPath);

    jest.advanceTimersByTime(999);
    expect(size(dbPath)).toBe(dbBefore); // not yet: the rows are only in the WAL
    jest.advanceTimersByTime(1);
    expect(size(dbPath)).toBeGreaterThan(dbBefore + 200 * 1000); // merged into the file
    expect(m.mergeIfWritten()).toBe(false); // nothing new since
    writeRows(sqlite, 1);
    expect(m.mergeIfWritten()).toBe(true);
  });

  /** The WAL header's checkpoint sequence: it moves on each time the WAL starts over. */
  const walSequence = (dbPath: string) => fs.readFileSync(`${dbPath}-wal`).readUInt32BE(12);

  it('starts the WAL over itself after a merge, so the next write does not pay for it', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 20);
    const before = walSequence(dbPath);
    expect(m.mergeIfWritten()).toBe(true);
    expect(walSequence(dbPath)).toBe(before + 1);
    expect(sqlite.pragma('application_id', { simple: true })).toBe(0); // rewritten, unchanged
    expect(m.mergeIfWritten()).toBe(false); // the restart is not a write of its own
  });

  it('merges without waiting while another connection writes, and leaves the restart to it', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const timeout = sqlite.pragma('busy_timeout', { simple: true });
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 20);
    const other = new BetterSqlite3(dbPath);
    try {
      other.exec('BEGIN IMMEDIATE');
      const before = walSequence(dbPath);
      expect(m.mergeIfWritten()).toBe(true);
      expect(walSequence(dbPath)).toBe(before);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(timeout);
  });

  it('leaves the frames a reader still needs, and the WAL in place, for a later merge', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 5);
    const reader = new BetterSqlite3(dbPath, { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM filler').get(); // holds its snapshot
      writeRows(sqlite, 20);
      const before = walSequence(dbPath);
      expect(m.mergeIfWritten()).toBe(true);
      expect(walSequence(dbPath)).toBe(before);
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    writeRows(sqlite, 1);
    const before = walSequence(dbPath);
    expect(m.mergeIfWritten()).toBe(true);
    expect(walSequence(dbPath)).toBe(before + 1);
  });

  /** The application_id writes (WAL restarts) the connection makes from now on. */
  function restartsOf(sqlite: Database): string[] {
    const real = sqlite.pragma.bind(sqlite);
    const restarts: string[] = [];
    jest.spyOn(sqlite, 'pragma').mockImplementation(((source: string, options?: { simple?: boolean }) => {
      if (source.startsWith('application_id =')) restarts.push(source);
      return real(source, options);
    }) as typeof sqlite.pragma);
    return restarts;
  }

  it('does not try to start the WAL over while a reader holds frames the merge could not take', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 5);
    const reader = new BetterSqlite3(dbPath, { readonly: true });
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM filler').get();
      writeRows(sqlite, 20);
      const restarts = restartsOf(sqlite);
      expect(m.mergeIfWritten()).toBe(true);
      expect(restarts).toEqual([]);
      reader.exec('COMMIT');
    } finally {
      reader.close();
      jest.restoreAllMocks();
    }
  });

  it('does not start an empty WAL over (nothing was in it to merge)', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 5);
    expect(truncateWal(sqlite)).toBe(true); // merged and cut to zero: the WAL holds no frame
    const restarts = restartsOf(sqlite);
    try {
      expect(m.mergeIfWritten()).toBe(true);
      expect(restarts).toEqual([]);
      expect(size(`${dbPath}-wal`)).toBe(0);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it("merges a connection's very first change", () => {
    const dbPath = tmp.join('p.db');
    const sqlite = new BetterSqlite3(dbPath);
    try {
      sqlite.pragma('journal_mode = WAL');
      sqlite.exec('CREATE TABLE t (x)'); // a schema change, not counted by total_changes()
      const m = merges(sqlite, { boundPages: 100_000 });
      sqlite.prepare('INSERT INTO t VALUES (1)').run();
      expect(m.mergeIfWritten()).toBe(true);
    } finally {
      started.splice(0).forEach((m) => m.stop());
      sqlite.close();
    }
  });

  it('reports any other failure to start the WAL over', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const m = merges(sqlite, { boundPages: 100_000 });
    writeRows(sqlite, 5);
    const real = sqlite.pragma.bind(sqlite);
    jest.spyOn(sqlite, 'pragma').mockImplementation(((source: string, options?: { simple?: boolean }) => {
      if (source.startsWith('application_id =')) throw new Error('disk I/O error');
      return real(source, options);
    }) as typeof sqlite.pragma);
    expect(() => m.mergeIfWritten()).toThrow('disk I/O error');
  });

  it('never merges inside a transaction', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const m = merges(sqlite, { boundPages: 100_000 });
    const inside = sqlite.transaction(() => {
      writeRows(sqlite, 1);
      return m.mergeIfWritten();
    });
    expect(inside()).toBe(false);
    expect(m.mergeIfWritten()).toBe(true);
  });

  it('does nothing once the connection is closed, and stops with the store', () => {
    jest.useFakeTimers();
    const { store } = openTestProgressStore(tmp.path);
    const m: WalMerges = store['walMerges'];
    const sqlite = store['context'].connection.sqlite;
    store.close();
    expect(sqlite.open).toBe(false);
    expect(m.mergeIfWritten()).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports a merge that failed and tries again on the next tick', () => {
    jest.useFakeTimers();
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const errors: unknown[] = [];
    merges(sqlite, { intervalMs: 10, boundPages: 100_000, onError: (e) => errors.push(e) });
    writeRows(sqlite, 1);
    const pragma = jest.spyOn(sqlite, 'pragma').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    jest.advanceTimersByTime(10);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('disk I/O error');
    pragma.mockClear();
    jest.advanceTimersByTime(10);
    expect(pragma).toHaveBeenCalledWith('wal_checkpoint(PASSIVE)');
    expect(errors).toHaveLength(1);
  });

  it('keeps the WAL bounded for a caller that never lets the timer run', () => {
    const dbPath = tmp.join('p.db');
    const { sqlite } = openTestStore(dbPath);
    merges(sqlite, { boundPages: 64 });
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      writeRows(sqlite, 50); // 2,000 rows of 1 KB, about 30 times the bound, in all
      peak = Math.max(peak, size(`${dbPath}-wal`));
    }
    // The bound, plus the one transaction that crossed it, plus the WAL header.
    expect(peak).toBeLessThanOrEqual((64 + 8) * (4096 + 24) + 32);
    expect(size(dbPath)).toBeGreaterThan(1_500_000);
  });

  it("keeps the store's WAL under its bound through thousands of progress writes in one synchronous loop", () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync();
    let peak = 0;
    for (let i = 0; i < 6000; i++) {
      clock.advance(1);
      sync.update({
        phase: 'Indexing Files',
        percent: 50 + i / 2000,
        phasePercent: 10,
        filesProcessed: i,
        totalFiles: 6000,
        rate: 1,
      });
      if (i % 50 === 0) peak = Math.max(peak, size(`${store.path}-wal`));
    }
    sync.finish();
    // ~4 pages a write: about 24,000 pages went through a WAL never much above the bound.
    expect(peak).toBeLessThanOrEqual((WAL_BOUND_PAGES + 16) * (4096 + 24) + 32);
    expect(size(store.path)).toBeGreaterThan(500_000);
  });
});
