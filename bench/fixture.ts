import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { openProgressStore, type ProgressStore, type ProgressStoreOptions } from '../src';
import type { WalMerges } from '../src/db/wal-merges';
import type { StoreContext } from '../src/services/store-context';
import { timeOnce } from './harness';

/** Temp folders made by this run: removed at the end, and on a crash or Ctrl-C. */
const made = new Set<string>();

export function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cidx-progress-bench-${label}-`));
  made.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

export function removeAllTempDirs(): void {
  for (const dir of [...made]) removeDir(dir);
}

process.on('exit', removeAllTempDirs);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeAllTempDirs();
    process.exit(130);
  });
}

/** The benchmark moves time by hand with the tests' clock. */
export { ManualClock as BenchClock } from '../test/support/manual-clock';

/** Fixed resource readings: sampling the real process would only add noise. */
const quietProbe = () => ({ rssBytes: 200_000_000, cpuMicros: 0 });

export function openBenchStore(dir: string, options: Partial<ProgressStoreOptions> = {}): ProgressStore {
  const store = openProgressStore({
    projectId: 'bench-project',
    dir,
    onWarning: (w) => process.stderr.write(`store warning ${w.code}: ${w.message}\n`),
    resourceProbe: quietProbe,
    // Maintenance is benchmarked on its own; here it would only add an untimed pause at open.
    autoMaintenance: false,
    ...options,
  });
  if (sqliteDefaultWal) {
    storeWalMerges(store).stop();
    storeSqlite(store).pragma('wal_autocheckpoint = 1000');
  }
  return store;
}

/**
 * `--wal=sqlite-default`: run as the store did before it decided where WAL merges happen
 * (SQLite's automatic merge at 1,000 pages, inside whichever commit crosses it), to
 * reproduce the "before" figures.
 */
const sqliteDefaultWal = process.argv.includes('--wal=sqlite-default');

function storeWalMerges(store: ProgressStore): WalMerges {
  return store['walMerges'];
}

/**
 * What the store's timer does between the caller's calls: merge the WAL if anything was
 * written. The benchmarks call it at the points the timer would run (the loops here never
 * yield to the event loop) and time it as its own row. Returns the ms taken, or null when
 * nothing ran.
 */
export function mergeWalBetweenCalls(store: ProgressStore): number | null {
  if (sqliteDefaultWal) return null;
  const merges = storeWalMerges(store);
  let ran = false;
  const ms = timeOnce(() => (ran = merges.mergeIfWritten()));
  return ran ? ms : null;
}

/** The store's own connection (benchmarks only: the pragmas and WAL of the real thing). */
export function storeContext(store: ProgressStore): StoreContext {
  return store['context'];
}

export function storeSqlite(store: ProgressStore): Database {
  return storeContext(store).connection.sqlite;
}

/** A second, plain connection configured like the store's, for the raw baselines. */
export function openRawConnection(dbPath: string): Database {
  const db = new BetterSqlite3(dbPath, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

export interface StorageSettings {
  journalMode: string;
  synchronous: string;
  walAutocheckpoint: number;
  pageSize: number;
  sqliteVersion: string;
}

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export function storageSettings(db: Database): StorageSettings {
  return {
    journalMode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: SYNCHRONOUS[db.pragma('synchronous', { simple: true }) as number] ?? '?',
    walAutocheckpoint: db.pragma('wal_autocheckpoint', { simple: true }) as number,
    pageSize: db.pragma('page_size', { simple: true }) as number,
    sqliteVersion: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
  };
}

/** The database file plus its WAL, in bytes. */
export function fileSizes(dbPath: string): { db: number; wal: number } {
  const size = (p: string) => (fs.existsSync(p) ? fs.statSync(p).size : 0);
  return { db: size(dbPath), wal: size(`${dbPath}-wal`) };
}
