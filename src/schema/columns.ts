import { type Column, getTableColumns, type Table } from 'drizzle-orm';

/**
 * What code above the schema needs to know of a table's columns without reaching for
 * drizzle itself (validation/rows checks rows read back by their keys and SQL names).
 * Not a table: drizzle-kit reads src/schema/index.ts, which does not export this.
 */
export interface ColumnFacts {
  /** The row object's key (camelCase). */
  key: string;
  /** The column's SQL name. */
  name: string;
  /** A JSON column: stored as text, parsed on the way out. */
  json: boolean;
}

export function columnFacts(table: Table): ColumnFacts[] {
  return Object.entries(getTableColumns(table) as Record<string, Column>).map(([key, column]) => ({
    key,
    name: column.name,
    json: column.dataType === 'json',
  }));
}
