import type { Connection } from '../db/connection';
import { type CheckedTable, keyedBySqlName } from '../validation/rows';

/**
 * Rows as stored, found by rowid: how damaged rows are found and removed (services/
 * damaged-rows). Read with plain SQL (`SELECT *`), so a cell drizzle could not decode
 * fails its own row's check instead of the whole query. Rows come back keyed like
 * drizzle's (validation/rows keyedBySqlName). Table names come from the constant list of
 * checked tables, never from input.
 */
export interface StoredRow {
  rowid: number;
  row: Record<string, unknown>;
}

export class StoredRowsRepository {
  constructor(private readonly connection: Connection) {}

  /** Every row of a checked table, in rowid order, read lazily. */
  *scan(table: CheckedTable): Generator<StoredRow> {
    const rows = this.connection.sqlite
      .prepare(`SELECT rowid AS "__rowid", * FROM "${table}" ORDER BY rowid`)
      .iterate() as IterableIterator<Record<string, unknown>>;
    for (const sqlRow of rows) yield { rowid: Number(sqlRow.__rowid), row: keyedBySqlName(table, sqlRow) };
  }

  /** Up to `limit` rows of a checked table after `afterRowid`, in rowid order: a scan in pieces. */
  scanPage(table: CheckedTable, afterRowid: number, limit: number): StoredRow[] {
    const rows = this.connection.sqlite
      .prepare(`SELECT rowid AS "__rowid", * FROM "${table}" WHERE rowid > ? ORDER BY rowid LIMIT ?`)
      .all(afterRowid, limit) as Array<Record<string, unknown>>;
    return rows.map((sqlRow) => ({ rowid: Number(sqlRow.__rowid), row: keyedBySqlName(table, sqlRow) }));
  }

  /** The row of a checked table at `rowid` as stored, or null when there is none. */
  rowAt(table: CheckedTable, rowid: number): Record<string, unknown> | null {
    const raw = this.connection.sqlite.prepare(`SELECT * FROM "${table}" WHERE rowid = ?`).get(rowid);
    return raw === undefined ? null : keyedBySqlName(table, raw as Record<string, unknown>);
  }

  /** The sync_history row at `rowid`, as stored (JSON columns as their text). */
  syncRowAt(rowid: number): Record<string, unknown> {
    const raw = this.connection.sqlite.prepare('SELECT * FROM sync_history WHERE rowid = ?').get(rowid);
    return keyedBySqlName('sync_history', raw as Record<string, unknown>);
  }

  /** The job id of the sync_history row at `rowid`, whatever its type (damaged rows may hold anything). */
  syncJobIdAt(rowid: number): unknown {
    return this.connection.sqlite
      .prepare('SELECT job_id AS jobId FROM sync_history WHERE rowid = ?')
      .pluck()
      .get(rowid);
  }

  /** Delete a sync's whole progress trail, by job id. A write: inside the caller's transaction. */
  deleteTrail(jobId: string): void {
    this.connection.sqlite.prepare('DELETE FROM progress_updates WHERE job_id = ?').run(jobId);
  }

  /** Delete one row of a checked table. A write: inside the caller's transaction. */
  deleteAt(table: CheckedTable, rowid: number): void {
    this.connection.sqlite.prepare(`DELETE FROM "${table}" WHERE rowid = ?`).run(rowid);
  }
}
