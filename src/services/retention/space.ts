import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Connection } from '../../db/connection';
import { retryWhileBusy } from '../../db/busy-retry';
import { toStoreError } from '../../db/sqlite-errors';
import { assertInTransaction } from '../../db/transaction';
import type { StoreSize } from './maintenance-report';

/**
 * The file's space, and giving it back. The store's files use auto_vacuum=INCREMENTAL
 * (see db/connection.ts): deleted rows leave free pages that later writes reuse, and
 * `incremental_vacuum` hands them back to the file system in small steps. A full VACUUM
 * rewrites the file (also undoing half-empty pages) but holds the write lock throughout.
 */
export interface SpaceFigures extends StoreSize {
  pageSize: number;
  /** Bytes in pages holding data: fileBytes - freeBytes. */
  usedBytes: number;
}

export function measureSpace(connection: Connection): SpaceFigures {
  const { sqlite } = connection;
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const freePages = sqlite.pragma('freelist_count', { simple: true }) as number;
  return {
    pageSize,
    fileBytes: pages * pageSize,
    freeBytes: freePages * pageSize,
    usedBytes: (pages - freePages) * pageSize,
    walBytes: fileSize(`${connection.path}-wal`),
  };
}

/** The public part of the figures, for the report. */
export function sizeOf(figures: SpaceFigures): StoreSize {
  return { fileBytes: figures.fileBytes, freeBytes: figures.freeBytes, walBytes: figures.walBytes };
}

/** Give back up to `pages` free pages. A write: run it inside the caller's write transaction (checked). */
export function incrementalVacuum(sqlite: Database, pages: number): void {
  assertInTransaction(sqlite, 'incremental vacuum');
  sqlite.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
}

/** Rewrite the whole file. Cannot run inside a transaction; waits for the write lock like any write. */
export function fullVacuum(sqlite: Database, lockTimeoutMs: number): void {
  try {
    retryWhileBusy(() => sqlite.exec('VACUUM'), lockTimeoutMs, 'vacuum');
  } catch (error) {
    throw toStoreError(error, 'vacuum');
  }
}

/**
 * Merge what it can of the WAL into the file without waiting on anyone (PASSIVE never
 * blocks a writer), so the size figures describe the file and the next writer does not
 * pay for merging maintenance's pages.
 */
export function mergeWal(sqlite: Database): void {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A busy checkpoint is only a missed optimisation: the next one merges the rest.
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
