import { type AnyColumn, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * SQL for the payload of a row: the bytes of every column's value (octet_length of its
 * text form; NULL counts 0). It leaves out b-tree, index and page overhead, so it is what
 * the rows hold rather than what the file shrinks by. Built from the table's own column
 * list, so it follows the schema as columns are added. octet_length does not read
 * large text values to measure them, so this is cheap even on file-log rows.
 */
export function rowBytes(table: SQLiteTable): SQL<number> {
  const columns = Object.values(getTableColumns(table));
  return sql<number>`(${sql.join(
    columns.map((column) => sql`coalesce(octet_length(${column}), 0)`),
    sql` + `,
  )})`.mapWith(Number);
}

/**
 * `column IN (…)` for a batch of values as ONE bound parameter (a JSON array read with
 * json_each): a 500-value batch then prepares as fast as a 1-value one, which matters
 * inside a write transaction that other processes are waiting on.
 */
export function inList(column: AnyColumn, values: readonly (string | number)[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/**
 * A selection of every column of `table` in which JSON columns come back as their stored
 * text: drizzle would JSON.parse them while reading, and one bad cell would then fail the
 * whole query instead of one row (validation/rows checks them one by one).
 */
export function rawSelection<T extends SQLiteTable>(table: T): Record<string, SQLiteColumn | SQL> {
  const selection: Record<string, SQLiteColumn | SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>)) {
    selection[key] = column.dataType === 'json' ? sql`${column}` : column;
  }
  return selection;
}
