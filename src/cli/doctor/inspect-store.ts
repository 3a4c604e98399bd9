import type { Database } from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { lstatIfExists } from '../../db/file-modes';
import { structuralDamage } from '../../db/integrity';
import { MIGRATIONS_FOLDER } from '../../db/migrations';
import { openReadOnlyDatabase } from '../../db/open-read-only';
import { type DamagedRow, findDamagedRows } from '../../services/damaged-rows';
import { inspectPaths, type PathFact, type PathSafety, refusalReason } from './path-safety';

/** A migration, as the shipped journal or the file's `__drizzle_migrations` table records it. */
export interface MigrationStamp {
  /** Journal time (ms since the epoch): what orders migrations. */
  createdAt: number;
  hash: string;
}

/** What `doctor` found in a store file, read without changing it. */
export interface StoreFacts {
  path: string;
  /** Bytes of the file, its -wal and the two together. */
  fileBytes: number;
  walBytes: number;
  /** Permission bits (e.g. 0o600) of the folder, the file and its -wal/-shm; null when absent or a link. */
  modes: { dir: number | null; file: number | null; wal: number | null; shm: number | null };
  /** The folder and each store file as lstat sees them: kind, owner, mode, where a link points. */
  paths: PathSafety;
  /** Why the file was not opened: the store would refuse it (a link, another user's file). */
  notOpened: string | null;
  /** Why the file could not be read as a database, or null. */
  openError: string | null;
  /** quick_check's answer about the file's structure: ['ok'] when healthy; the first problems otherwise. */
  quickCheck: string[];
  applied: { count: number; latest: MigrationStamp | null } | null;
  shipped: { count: number; latest: MigrationStamp | null; hashes: Record<string, string> };
  pages: { size: number; count: number; free: number };
  lastMaintenanceAt: number | null;
  lastVacuumAt: number | null;
  /** Rows that fail the checks every read applies (see validation/rows): how many, and the first ones. */
  damagedRows: { count: number; rows: DamagedRow[] };
}

/** Permission bits of a folder or regular file as found, or null (absent, a link, something else). */
function modeOf(fact: PathFact | undefined): number | null {
  return fact && (fact.kind === 'file' || fact.kind === 'folder') && fact.mode !== null ? fact.mode & 0o777 : null;
}

/** Bytes of a regular file; a link's target is never looked at. */
function sizeOf(target: string): number {
  const stat = lstatIfExists(target);
  return stat?.isFile() ? stat.size : 0;
}

/** Damaged rows listed one by one; past this, a count says the rest. */
export const LISTED_DAMAGED_ROWS = 20;

/**
 * Inspect a store file read-only: never through the store's own open, which would
 * migrate it, or move a damaged file aside and hide what doctor is there to report.
 * Damaged rows are found with the same checks every read applies.
 * The statements are fixed text (pragmas and the two bookkeeping tables); nothing from
 * the command line reaches them. A file the store would refuse (a link, another user's
 * file or folder) is not opened at all: even a read-only open writes -wal/-shm beside
 * whatever a link points to.
 */
export function inspectStore(dbPath: string): StoreFacts {
  const paths = inspectPaths(dbPath);
  const role = (r: PathFact['role']) => paths.entries.find((e) => e.role === r);
  const shipped = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const latestShipped = shipped.at(-1);
  const facts: StoreFacts = {
    path: dbPath,
    fileBytes: sizeOf(dbPath),
    walBytes: sizeOf(`${dbPath}-wal`),
    modes: { dir: modeOf(role('folder')), file: modeOf(role('file')), wal: modeOf(role('-wal')), shm: modeOf(role('-shm')) },
    paths,
    notOpened: refusalReason(paths),
    openError: null,
    quickCheck: [],
    applied: null,
    shipped: {
      count: shipped.length,
      latest: latestShipped ? { createdAt: latestShipped.folderMillis, hash: latestShipped.hash } : null,
      hashes: Object.fromEntries(shipped.map((m) => [String(m.folderMillis), m.hash])),
    },
    pages: { size: 0, count: 0, free: 0 },
    lastMaintenanceAt: null,
    lastVacuumAt: null,
    damagedRows: { count: 0, rows: [] },
  };
  if (facts.notOpened) return facts;
  let sqlite: Database | undefined;
  try {
    // Read-only, and without leaving -wal/-shm files behind (see db/open-read-only).
    sqlite = openReadOnlyDatabase(dbPath);
    readInto(sqlite, facts);
  } catch (error) {
    facts.openError = `${(error as { code?: string }).code}: ${(error as Error).message}`;
  } finally {
    sqlite?.close();
  }
  return facts;
}

function readInto(sqlite: Database, facts: StoreFacts): void {
  // The file's structure only: rows that break a CHECK rule are the damaged-rows check's.
  const damage = structuralDamage(sqlite);
  facts.quickCheck = damage.length === 0 ? ['ok'] : damage.slice(0, 5);
  facts.pages = {
    size: sqlite.pragma('page_size', { simple: true }) as number,
    count: sqlite.pragma('page_count', { simple: true }) as number,
    free: sqlite.pragma('freelist_count', { simple: true }) as number,
  };
  const tables = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  if (tables.has('__drizzle_migrations')) {
    const count = (sqlite.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get() as { n: number }).n;
    const latest = sqlite
      .prepare('SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1')
      .get() as { hash: string; created_at: number | string } | undefined;
    facts.applied = { count, latest: latest ? { createdAt: Number(latest.created_at), hash: latest.hash } : null };
  }
  if (tables.has('store_meta')) {
    const meta = sqlite.prepare('SELECT key, value FROM store_meta').all() as { key: string; value: number }[];
    const get = (key: string) => meta.find((m) => m.key === key)?.value ?? null;
    facts.lastMaintenanceAt = get('last_maintenance_at');
    facts.lastVacuumAt = get('last_vacuum_at');
  }
  if (['sync_history', 'checkpoints', 'progress_updates', 'store_meta'].every((t) => tables.has(t))) {
    const damaged = findDamagedRows(sqlite);
    facts.damagedRows = { count: damaged.length, rows: damaged.slice(0, LISTED_DAMAGED_ROWS) };
  }
}
