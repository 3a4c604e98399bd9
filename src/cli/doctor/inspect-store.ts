import { type Connection, closeConnection } from '../../db/connection';
import { lstatIfExists } from '../../db/file-modes';
import type { MigrationRecordsCheck } from '../../db/migration-records';
import { shippedMigrations } from '../../db/shipped-migrations';
import { openInspectionConnection } from '../../db/open-read-only';
import { StoreFileRepository } from '../../repositories/store-file.repository';
import { StoredRowsRepository } from '../../repositories/stored-rows.repository';
import { SyncFiguresRepository } from '../../repositories/sync-figures.repository';
import type { StoreMetaKey } from '../../schema/store-meta';
import { CHECKED_TABLES, checkRow } from '../../validation/rows';
import { type DamagedRow, findDamagedRows } from '../../services/damaged-rows';
import { findBadFigures } from '../../services/sync-figures-repair';
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
  /** The migrations table checked against the file's tables and indexes (db/migration-records); null: no table. */
  migrationRecords: MigrationRecordsCheck | null;
  /** Why the migrations table could not be checked (the schema check's to report; the file itself was read). */
  migrationRecordsError: string | null;
  pages: { size: number; count: number; free: number };
  /** Null when never recorded, or when its row is damaged (then named in `damagedTimes`). */
  lastMaintenanceAt: number | null;
  lastVacuumAt: number | null;
  /** store_meta times whose value is not a time (a hand edit): not known, and listed among the damaged rows. */
  damagedTimes: StoreMetaKey[];
  /** Rows that fail the checks every read applies (see validation/rows): how many, and the first ones. */
  damagedRows: { count: number; rows: DamagedRow[] };
  /**
   * `sync_figures` rows the history report cannot use (services/sync-figures-repair): how
   * many, how many of each fault, and completed syncs without one; null: no such table yet.
   */
  syncFigures: SyncFiguresFacts | null;
}

export interface SyncFiguresFacts {
  bad: number;
  why: { why: string; rows: number }[];
  missing: number;
}

/** Permission bits of a folder or regular file as found, or null (absent, a link, something else). */
function modeOf(fact: PathFact | undefined): number | null {
  return fact && (fact.kind === 'file' || fact.kind === 'folder') && fact.mode !== null
    ? fact.mode & 0o777
    : null;
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
 * The statements (repositories/store-file, stored-rows) are fixed text; nothing from
 * the command line reaches them. A file the store would refuse (a link, another user's
 * file or folder) is not opened at all: even a read-only open writes -wal/-shm beside
 * whatever a link points to.
 */
export function inspectStore(dbPath: string): StoreFacts {
  const paths = inspectPaths(dbPath);
  const role = (r: PathFact['role']) => paths.entries.find((e) => e.role === r);
  const shipped = shippedMigrations();
  const latestShipped = shipped.at(-1);
  const facts: StoreFacts = {
    path: dbPath,
    fileBytes: sizeOf(dbPath),
    walBytes: sizeOf(`${dbPath}-wal`),
    modes: {
      dir: modeOf(role('folder')),
      file: modeOf(role('file')),
      wal: modeOf(role('-wal')),
      shm: modeOf(role('-shm')),
    },
    paths,
    notOpened: refusalReason(paths),
    openError: null,
    quickCheck: [],
    applied: null,
    migrationRecords: null,
    migrationRecordsError: null,
    shipped: {
      count: shipped.length,
      latest: latestShipped ? { createdAt: latestShipped.folderMillis, hash: latestShipped.hash } : null,
      hashes: Object.fromEntries(shipped.map((m) => [String(m.folderMillis), m.hash])),
    },
    pages: { size: 0, count: 0, free: 0 },
    lastMaintenanceAt: null,
    lastVacuumAt: null,
    damagedTimes: [],
    damagedRows: { count: 0, rows: [] },
    syncFigures: null,
  };
  if (facts.notOpened) return facts;
  let connection: Connection | undefined;
  try {
    // Read-only, and without leaving -wal/-shm files behind (see db/open-read-only).
    connection = openInspectionConnection(dbPath);
    readInto(connection, facts);
  } catch (error) {
    facts.openError = describeError(error);
  } finally {
    if (connection) closeConnection(connection);
  }
  return facts;
}

function describeError(error: unknown): string {
  return `${(error as { code?: string }).code}: ${(error as Error).message}`;
}

function readInto(connection: Connection, facts: StoreFacts): void {
  const storeFile = new StoreFileRepository(connection);
  // The file's structure only: rows that break a CHECK rule are the damaged-rows check's.
  const damage = storeFile.structuralDamage();
  facts.quickCheck = damage.length === 0 ? ['ok'] : damage.slice(0, 5);
  const pages = storeFile.pageCounts();
  facts.pages = { size: pages.pageSize, count: pages.pageCount, free: pages.freePages };
  try {
    facts.applied = storeFile.appliedMigrations();
    facts.migrationRecords = storeFile.checkMigrationRecords();
  } catch (error) {
    // One odd row in that table is no reason to call the whole file unreadable.
    facts.migrationRecordsError = describeError(error);
  }
  const meta = storeFile.metaValues(['last_maintenance_at', 'last_vacuum_at']);
  const time = (key: StoreMetaKey): number | null => {
    const value = meta[key];
    if (value === null) return null;
    // Checked as every read checks the row: text left by a hand edit is damage, not a date.
    const checked = checkRow<{ value: number }>('store_meta', { key, value });
    if (checked.ok) return checked.row.value;
    facts.damagedTimes.push(key);
    return null;
  };
  facts.lastMaintenanceAt = time('last_maintenance_at');
  facts.lastVacuumAt = time('last_vacuum_at');
  const tables = storeFile.tableNames();
  if (Object.keys(CHECKED_TABLES).every((t) => tables.has(t))) {
    const damaged = findDamagedRows(new StoredRowsRepository(connection));
    facts.damagedRows = { count: damaged.length, rows: damaged.slice(0, LISTED_DAMAGED_ROWS) };
  }
  if (tables.has('sync_figures')) facts.syncFigures = syncFiguresFacts(new SyncFiguresRepository(connection));
}

/** The faults counted, never the values: a stored value is not for doctor to print. */
function syncFiguresFacts(figures: SyncFiguresRepository): SyncFiguresFacts {
  const { bad, missing } = findBadFigures(figures);
  const counts = new Map<string, number>();
  for (const row of bad) counts.set(row.why, (counts.get(row.why) ?? 0) + 1);
  return { bad: bad.length, why: [...counts].map(([why, rows]) => ({ why, rows })), missing };
}
