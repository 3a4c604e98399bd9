import { SYNC_STATUSES, sqlInList } from './sync-status';

/**
 * The rules of validation/row-schemas that the report's figures depend on, as SQL over a
 * `sync_history` row whose columns are prefixed with `prefix` ('s.' in a query, '' in an
 * index): a status outside the closed set, a time that is not an integer, a negative count,
 * JSON that does not parse. Here, below the repositories, because two partial indexes of
 * the table (sync-history.ts) are defined by the same text: SQLite uses a partial index
 * only for a query whose WHERE holds its WHERE term for term, so the query and the index
 * must be built by this one function.
 *
 * Numbers are held to what zod holds them to (an integer is a safe one, a real is finite):
 * SQLite stores 2^62 or 1e999 without complaint, zod refuses them, and SUM() of two
 * 2^62 counts fails with "integer overflow" rather than leaving them out.
 *
 * Split in two: the last activity, rewritten by every progress write, and the rest, which
 * changes only when a sync checkpoints or ends. An index on the first needs only typeof()
 * at each progress write; the JSON checks of the second are not run there.
 */
export function trustedActivity(prefix: string): string {
  return safeInteger(`${prefix}last_activity_at`);
}

/** An integer JavaScript reads exactly (validation/row-schemas: z.number().int()). */
const safeInteger = (column: string) =>
  `(typeof(${column}) = 'integer' AND ${column} BETWEEN ${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER})`;

export function trustedFigures(prefix: string): string {
  const column = (name: string) => `${prefix}${name}`;
  const wholeOrNull = (name: string) =>
    `(${column(name)} IS NULL OR (typeof(${column(name)}) = 'integer' AND ${column(name)} BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER}))`;
  const jsonOrNull = (name: string) => `(${column(name)} IS NULL OR json_valid(${column(name)}))`;
  return `(${column('status')} IN (${sqlInList(SYNC_STATUSES)}) AND ${safeInteger(column('start_time'))}
  AND (${column('end_time')} IS NULL OR ${safeInteger(column('end_time'))})
  AND ${wholeOrNull('total_duration')} AND ${wholeOrNull('files_indexed')} AND ${wholeOrNull('bytes_processed')}
  AND ${wholeOrNull('peak_memory_bytes')} AND (${column('mean_cpu_percent')} IS NULL OR (typeof(${column('mean_cpu_percent')}) IN ('integer', 'real') AND ${column('mean_cpu_percent')} BETWEEN 0 AND ${Number.MAX_VALUE}))
  AND json_valid(${column('phases')}) AND ${jsonOrNull('phase_durations')} AND ${jsonOrNull('errors')})`;
}
