import type { z } from 'zod';
import { CorruptDatabaseError, DamagedRowError, describeDamage, type RowDamage } from '../errors';
import { checkpoints, progressUpdates, storeMeta, syncHistory } from '../schema';
import { type ColumnFacts, columnFacts } from '../schema/columns';
import {
  checkpointRowSchema,
  progressUpdateRowSchema,
  storeMetaRowSchema,
  syncHistoryRowSchema,
} from './row-schemas';
import { phaseDurationsSchema, phasesSchema, syncErrorsSchema } from './json-columns';

/**
 * Rows read back from the file are checked like input (see row-schemas). A row that
 * fails is damaged: a bad disk sector that still checksums, a hand edit, a row written
 * with CHECK constraints off. It is described (table, key, column, why) so that callers
 * can pass over it, report it, or (doctor --repair) delete it; it is never handed on
 * as if it were good.
 */

/** The tables whose rows are checked on the way out, by their SQL names. */
export const CHECKED_TABLES = {
  sync_history: { table: syncHistory, schema: syncHistoryRowSchema, keyColumn: 'job_id' },
  checkpoints: { table: checkpoints, schema: checkpointRowSchema, keyColumn: 'job_id' },
  progress_updates: { table: progressUpdates, schema: progressUpdateRowSchema, keyColumn: 'id' },
  store_meta: { table: storeMeta, schema: storeMetaRowSchema, keyColumn: 'key' },
} as const satisfies Record<RowDamage['table'], unknown>;
export type CheckedTable = keyof typeof CHECKED_TABLES;

/** Each checked table's columns, worked out once: rows are checked by the thousand. */
const COLUMNS: Record<CheckedTable, ColumnFacts[]> = {
  sync_history: columnFacts(syncHistory),
  checkpoints: columnFacts(checkpoints),
  progress_updates: columnFacts(progressUpdates),
  store_meta: columnFacts(storeMeta),
};

export { DamagedRowError, describeDamage, type RowDamage };

/**
 * The longest JSON text a cell may hold: above what the store can write (100 error
 * records of a 4,000-character message and a 4,096-character file, every character
 * escaped as \uXXXX, is under 5 MiB; caller metadata is at most 64 KiB), so only a
 * damaged or hand-edited cell is longer, and it is refused before it is parsed.
 */
export const MAX_JSON_CELL_CHARS = 8 * 1024 * 1024;

export type RowCheck<T> =
  | { ok: true; row: T }
  | {
      ok: false;
      damage: RowDamage;
      /** Keys (not SQL names) of every column that failed. */
      badColumns: ReadonlySet<string>;
      /** The row as decoded (JSON parsed where it could be); untrusted. */
      raw: Record<string, unknown>;
    };

/** A row selected with rawSelection (repositories/sql-helpers), checked. */
export function checkRow<T>(name: CheckedTable, raw: Record<string, unknown>): RowCheck<T> {
  const { schema, keyColumn } = CHECKED_TABLES[name];
  const columns = COLUMNS[name];
  const decoded: Record<string, unknown> = { ...raw };
  const bad = new Map<string, string>();
  for (const { key, json } of columns) {
    const value = raw[key];
    if (!json || typeof value !== 'string') continue;
    if (value.length > MAX_JSON_CELL_CHARS) {
      bad.set(key, `holds ${value.length} characters of JSON, more than ${MAX_JSON_CELL_CHARS}`);
      decoded[key] = null;
      continue;
    }
    try {
      decoded[key] = JSON.parse(value);
    } catch (error) {
      bad.set(key, `is not valid JSON (${(error as Error).message})`);
    }
  }
  const keyEntry = columns.find((c) => c.name === keyColumn)!;
  const key = `${keyColumn}=${String(raw[keyEntry.key])}`;
  // Every column is checked, even past a JSON cell that does not parse: salvage (see
  // services/damaged-sync) must know each bad column, not just the first.
  const result = (schema as z.ZodType).safeParse(decoded);
  if (result.success && bad.size === 0) return { ok: true, row: result.data as T };
  for (const issue of result.error?.issues ?? []) {
    const [first, ...rest] = issue.path.map(String);
    const column = first ?? keyEntry.key;
    if (bad.has(column)) continue;
    bad.set(column, rest.length > 0 ? `${rest.join('.')}: ${issue.message}` : issue.message);
  }
  const [firstKey, why] = [...bad][0]!;
  const damage: RowDamage = {
    table: name,
    key,
    column: columns.find((c) => c.key === firstKey)?.name ?? firstKey,
    why,
  };
  return { ok: false, damage, badColumns: new Set(bad.keys()), raw: decoded };
}

/** A row selected with rawSelection (repositories/sql-helpers) that must be good: damage throws DamagedRowError. */
export function trustedRow<T>(name: CheckedTable, raw: Record<string, unknown>): T {
  const checked = checkRow<T>(name, raw);
  if (!checked.ok) throw new DamagedRowError(checked.damage);
  return checked.row;
}

/** SQL column names to row keys, for rows read with plain SQL (`SELECT *`). */
export function keyedBySqlName(name: CheckedTable, sqlRow: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, name: sqlName } of COLUMNS[name]) {
    out[key] = sqlRow[sqlName];
  }
  return out;
}

/**
 * drizzle runs JSON.parse on JSON columns while it reads the row, so text that is not
 * JSON at all fails with a SyntaxError before any schema sees it. That is damage too:
 * report it as such. (For queries that still read whole rows through drizzle.)
 */
export function readJsonRows<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new CorruptDatabaseError(`${where} does not hold valid JSON: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** On the way in the same schemas guard against the package's own mistakes. */
export function validateSyncHistoryJson(row: {
  phases?: unknown;
  phaseDurations?: unknown;
  errors?: unknown;
}): void {
  if (row.phases !== undefined) phasesSchema.parse(row.phases);
  if (row.phaseDurations != null) phaseDurationsSchema.parse(row.phaseDurations);
  if (row.errors != null) syncErrorsSchema.parse(row.errors);
}
