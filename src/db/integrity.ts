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
 * than throwing. Only damage to the file's structure counts: a row that breaks a CHECK
 * rule is left for the row checks (see pageDamage). The check's cost is bounded by checking only the small tables of a
 * large file.
 */
export function verifyIntegrity(sqlite: Database): void {
  sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  const bytes =
    (sqlite.pragma('page_count', { simple: true }) as number) *
    (sqlite.pragma('page_size', { simple: true }) as number);
  const present = new Set(tableNames(sqlite));
  const targets = bytes <= FULL_CHECK_MAX_BYTES ? [undefined] : CRITICAL_TABLES.filter((t) => present.has(t));
  for (const table of targets) {
    const problems = structuralDamage(sqlite, table);
    if (problems.length > 0) {
      throw new CorruptDatabaseError(`quick_check found damage: ${problems.slice(0, 3).join('; ')}`);
    }
  }
}

/**
 * quick_check also reports rows that break a CHECK or NOT NULL rule ("CHECK constraint
 * failed in sync_history", "NULL value in t.c"). Those are damaged rows, readable and
 * handled one by one (passed over, listed by doctor, removed by doctor --repair); they
 * are no reason to move a whole file, with its resumable checkpoint, aside.
 */
const ROW_LEVEL_LINE = /^(?:CHECK constraint failed in |NULL value in )/;

export function isRowLevelProblem(line: string): boolean {
  return ROW_LEVEL_LINE.test(line);
}

/** The lines of a quick_check that mean real damage: pages, b-trees, indexes. */
export function pageDamage(lines: readonly string[]): string[] {
  return lines.filter((line) => line !== 'ok' && !isRowLevelProblem(line));
}

/**
 * quick_check's findings about the file's structure only. CHECK constraints are not
 * verified (ignore_check_constraints, for this check alone) so that many rows breaking a
 * CHECK rule cannot fill quick_check's 100 lines before its pass over the rows reaches a
 * damaged one (it stops there); NOT NULL lines are filtered out. `table` comes from a constant list, never from input.
 */
export function structuralDamage(sqlite: Database, table?: string): string[] {
  const ignoring = sqlite.pragma('ignore_check_constraints', { simple: true }) === 1;
  sqlite.pragma('ignore_check_constraints = ON'); // already on: no change
  try {
    const rows = sqlite.pragma(table ? `quick_check("${table}")` : 'quick_check') as {
      quick_check: string;
    }[];
    return pageDamage(rows.map((r) => r.quick_check));
  } finally {
    // The store's own connection must enforce CHECK rules again for every write after this.
    if (!ignoring) sqlite.pragma('ignore_check_constraints = OFF');
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

export function tableNames(sqlite: Database): string[] {
  return (
    sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  ).map((r) => r.name);
}
