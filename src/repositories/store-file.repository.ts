import fs from 'node:fs';
import { retryWhileBusy } from '../db/busy-retry';
import type { Connection } from '../db/connection';
import { structuralDamage, tableNames } from '../db/integrity';
import {
  checkMigrationRecords,
  type MigrationRecordsCheck,
  rerecordMigrations,
} from '../db/migration-records';
import { toStoreError } from '../db/sqlite-errors';
import { type StoreMetaKey, storeMeta } from '../schema';
import { assertInTransaction } from '../db/transaction';

/**
 * The store file itself, below the rows: its pages and free pages, its WAL, giving space
 * back (incremental and full VACUUM), merging the WAL, and the read-only look `doctor`
 * takes at a file it may not trust (structure, the migrations recorded in it, store_meta).
 * Engine-level SQL lives here so that services and the CLI never touch the driver.
 */

/** The page figures of the file (SQLite's own counts, not the file system's). */
export interface PageCounts {
  pageSize: number;
  pageCount: number;
  freePages: number;
}

/** A migration as the file's `__drizzle_migrations` table records it. */
export interface AppliedMigration {
  /** Journal time (ms since the epoch): what orders migrations. */
  createdAt: number;
  hash: string;
}

/** The migrations table drizzle (and db/migrations) keep; read here, never written. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

export class StoreFileRepository {
  constructor(private readonly connection: Connection) {}

  pageCounts(): PageCounts {
    const { sqlite } = this.connection;
    return {
      pageSize: sqlite.pragma('page_size', { simple: true }) as number,
      pageCount: sqlite.pragma('page_count', { simple: true }) as number,
      freePages: sqlite.pragma('freelist_count', { simple: true }) as number,
    };
  }

  /** Bytes of the -wal file beside the store; 0 when there is none. */
  walBytes(): number {
    try {
      return fs.statSync(`${this.connection.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** Give back up to `pages` free pages (at least one is asked for). A write: run it inside the caller's write transaction (checked). */
  incrementalVacuum(pages: number): void {
    assertInTransaction(this.connection, 'incremental vacuum');
    this.connection.sqlite.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  }

  /** Rewrite the whole file. Cannot run inside a transaction; waits for the write lock like any write. */
  fullVacuum(lockTimeoutMs: number): void {
    const { sqlite } = this.connection;
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
  mergeWal(): void {
    try {
      this.connection.sqlite.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A busy checkpoint is only a missed optimisation: the next one merges the rest.
    }
  }

  /** quick_check's findings about the file's structure (see db/integrity); empty when healthy. */
  structuralDamage(): string[] {
    return structuralDamage(this.connection.sqlite);
  }

  /** The tables the file holds, by name: an unmigrated or damaged file may lack some. */
  tableNames(): Set<string> {
    return new Set(tableNames(this.connection.sqlite));
  }

  /** How many migrations the file records, and the newest; null when it has no migrations table. */
  appliedMigrations(): { count: number; latest: AppliedMigration | null } | null {
    const { sqlite } = this.connection;
    if (!this.tableNames().has(MIGRATIONS_TABLE)) return null;
    const count = (sqlite.prepare(`SELECT count(*) AS n FROM "${MIGRATIONS_TABLE}"`).get() as { n: number })
      .n;
    const latest = sqlite
      // Only records whose created_at is a time (a hand-edited one is checkMigrationRecords' to report).
      .prepare(
        `SELECT hash, created_at FROM "${MIGRATIONS_TABLE}" WHERE typeof(created_at) = 'integer' AND created_at BETWEEN 0 AND 8640000000000000 ORDER BY created_at DESC LIMIT 1`,
      )
      .get() as { hash: string; created_at: number | string } | undefined;
    return { count, latest: latest ? { createdAt: Number(latest.created_at), hash: latest.hash } : null };
  }

  /** The migrations table checked against the file's tables and indexes (db/migration-records); null: no table. */
  checkMigrationRecords(): MigrationRecordsCheck | null {
    return checkMigrationRecords(this.connection.sqlite);
  }

  /** Record exactly the first `count` shipped migrations (doctor --repair, after checkMigrationRecords). */
  rerecordMigrations(count: number): void {
    rerecordMigrations(this.connection.sqlite, count);
  }

  /**
   * store_meta values by key as stored, unchecked (a hand edit may have left text), read
   * without assuming the table is there (null when it, or the row, is not).
   */
  metaValues<K extends StoreMetaKey>(keys: readonly K[]): Record<K, unknown> {
    const present = this.tableNames().has('store_meta');
    const rows = present ? this.connection.orm.select().from(storeMeta).all() : [];
    const values = {} as Record<K, unknown>;
    for (const key of keys) values[key] = rows.find((row) => row.key === key)?.value ?? null;
    return values;
  }
}
