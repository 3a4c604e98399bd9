import type { Database } from 'better-sqlite3';
import { CorruptDatabaseError } from '../errors';

/** Files up to this size get a full quick_check at open; larger ones check the small tables. */
export const FULL_CHECK_MAX_BYTES = 16 * 1024 * 1024;

/** Tables whose damage would mislead a resume; each is small, so checking them is cheap. */
const CRITICAL_TABLES = ['sync_history', 'checkpoints', 'store_meta'];

export const EXPECTED_TABLES = [
  'sync_history',
  'progress_updates',
  'checkpoints',
  'checkpoint_files',
  'store_meta',
];

/**
 * Is this file a healthy database? A garbage header only shows on the first real query
 * (SQLITE_NOTADB), and damaged pages only in a quick_check, which returns rows rather
 * than throwing. The check's cost is bounded by checking only the small tables of a
 * large file.
 */
export function verifyIntegrity(sqlite: Database): void {
  sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  const bytes =
    (sqlite.pragma('page_count', { simple: true }) as number) *
    (sqlite.pragma('page_size', { simple: true }) as number);
  const present = new Set(tableNames(sqlite));
  const targets =
    bytes <= FULL_CHECK_MAX_BYTES ? [undefined] : CRITICAL_TABLES.filter((t) => present.has(t));
  for (const table of targets) {
    // Table names come from the constant list above, never from input.
    const rows = sqlite.pragma(table ? `quick_check("${table}")` : 'quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) {
      throw new CorruptDatabaseError(`quick_check found damage: ${problems.slice(0, 3).join('; ')}`);
    }
  }
}

/** After migrating, every table must be there; a file that claims to be migrated but is not is damaged. */
export function verifySchema(sqlite: Database): void {
  const present = new Set(tableNames(sqlite));
  const missing = EXPECTED_TABLES.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new CorruptDatabaseError(`the schema is incomplete: missing ${missing.join(', ')}`);
  }
}

function tableNames(sqlite: Database): string[] {
  return (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
    (r) => r.name,
  );
}
