import { type CheckedTable, CHECKED_TABLES } from '../../validation/rows';
import type { StoreMetaRepository } from '../../repositories/store-meta.repository';
import { type DamagedRow, removeDamagedRows, searchPiece, type TransactionRunner } from '../damaged-rows';
import type { MaintenanceRun } from './maintenance-run';

/**
 * Maintenance's search for damaged rows, kept across runs. On a large file the search
 * alone is many seconds of slices, and a store closed before its run finishes (a short
 * CIDX sync) would otherwise start it again from the first row at every open and never
 * get past it. So each table's cursor (the last rowid checked) is kept in store_meta,
 * advanced by every piece in the same transaction as that piece's removals, and a new run
 * starts from it. A finished run clears the cursors (clearDamagedSearch, in the
 * transaction that records the run), so the next run is a full pass; so is the one after
 * a run that failed. Rows changed behind a cursor (a row damaged after it was checked)
 * are only found by that next full pass.
 */

const CURSOR = 'damaged_search_after ';

const cursorKey = (table: CheckedTable) => `${CURSOR}${table}`;

/** Where the search stands: each table's last rowid checked (0: not started). */
export function damagedSearchCursors(storeMeta: StoreMetaRepository): Map<CheckedTable, number> {
  return new Map(
    storeMeta.listPrefixed(CURSOR).map((row) => [row.key.slice(CURSOR.length) as CheckedTable, row.value]),
  );
}

/** Forget where the search stands: the next run checks every row. Call inside a write. */
export function clearDamagedSearch(storeMeta: StoreMetaRepository): void {
  for (const row of storeMeta.listPrefixed(CURSOR)) storeMeta.remove(row.key);
}

/**
 * Check the rows after each table's cursor, a piece at a time (a `yield` after each), and
 * remove those found damaged piece by piece, each piece's removals and its cursor in one
 * write transaction: a run stopped at any point leaves the cursor on rows already checked
 * and repaired, never past a damaged row left in place.
 */
export function* removeDamagedInSteps(run: MaintenanceRun): Generator<void, DamagedRow[], void> {
  const { context } = run;
  const { repos } = context;
  const write: TransactionRunner = (name, work) => run.write(name, work);
  const cursors = run.read('where the damaged-row search stands', () =>
    damagedSearchCursors(repos.storeMeta),
  );
  const removed: DamagedRow[] = [];
  let archived = 0;
  for (const table of Object.keys(CHECKED_TABLES) as CheckedTable[]) {
    let after = cursors.get(table) ?? 0;
    for (;;) {
      const piece = searchPiece(repos.storedRows, table, after);
      // A table's last piece (short) leaves the cursor where it was: a new run checks
      // those few rows again rather than every small file paying a write per table.
      const advance = () => {
        if (!piece.done) repos.storeMeta.put(cursorKey(table), piece.last);
      };
      if (piece.found.length > 0) {
        const result = removeDamagedRows(context, piece.found, write, advance);
        removed.push(...result.removed);
        archived += result.archived;
      } else if (!piece.done) {
        write('damaged-row search', advance);
      }
      yield;
      if (piece.done) break;
      after = piece.last;
    }
  }
  warnRemoved(run, removed, archived);
  return removed;
}

/** Say what went, once for the whole search. */
function warnRemoved(run: MaintenanceRun, removed: DamagedRow[], archived: number): void {
  if (removed.length === 0) return;
  const which = removed
    .slice(0, 5)
    .map((d) => `${d.table} ${d.key} (${d.column})`)
    .join(', ');
  run.context.warn({
    code: 'CORRUPT',
    message: `maintenance removed ${removed.length} damaged row(s)${archived ? `, ${archived} sync(s) archived first` : ''}: ${which}`,
  });
}
