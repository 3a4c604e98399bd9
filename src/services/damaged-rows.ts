import type { NotPromise } from '../db/transaction';
import { ConflictError } from '../errors';
import type { StoredRowsRepository } from '../repositories/stored-rows.repository';
import type { SyncHistoryRow } from '../schema';
import type { DamagedRow, RepairResult, RowsRemoved } from './damaged-row';
import { CHECKED_TABLES, type CheckedTable, checkRow } from '../validation/rows';
import { archiveDirFor } from './retention/archive';
import {
  discardBatch,
  type PendingBatch,
  publishBatch,
  recordBatch,
  writePendingBatch,
} from './retention/archive-batch';
import { salvageSyncRow } from './damaged-sync';
import { dropCheckpoint } from './drop-checkpoint';
import { isOwnerAlive } from './liveness';
import type { StoreContext } from './store-context';

/**
 * Find and remove damaged rows (see validation/rows): what `doctor` lists and
 * `doctor --repair` deletes. A damaged row is readable, so the file itself is not moved
 * aside for it; it is checked like every row the store reads, here for the whole file.
 */

/** Every damaged row of the checked tables, in table then rowid order. Reads only. */
export function findDamagedRows(storedRows: StoredRowsRepository): DamagedRow[] {
  const found: DamagedRow[] = [];
  for (const table of Object.keys(CHECKED_TABLES) as CheckedTable[]) {
    for (const { rowid, row } of storedRows.scan(table)) {
      const checked = checkRow(table, row);
      if (!checked.ok) found.push({ ...checked.damage, rowid });
    }
  }
  return found;
}

/** Rows checked per piece of a search in steps: a few milliseconds of work. */
const ROWS_PER_PIECE = 500;

/**
 * One piece of the search, for maintenance in slices (retention/damaged-row-upkeep.ts),
 * which must never hold the caller's event loop for the whole file (on a 500 MB file the
 * one-go search took 6–15 s): the damaged rows among the next ROWS_PER_PIECE rows of
 * `table` after rowid `after`, the last rowid it read (`after` when none), and whether
 * the table is done.
 */
export function searchPiece(
  storedRows: StoredRowsRepository,
  table: CheckedTable,
  after: number,
): { found: DamagedRow[]; last: number; done: boolean } {
  const page = storedRows.scanPage(table, after, ROWS_PER_PIECE);
  const found: DamagedRow[] = [];
  for (const { rowid, row } of page) {
    const checked = checkRow(table, row);
    if (!checked.ok) found.push({ ...checked.damage, rowid });
  }
  return { found, last: page.at(-1)?.rowid ?? after, done: page.length < ROWS_PER_PIECE };
}

/** How a repair makes its writes: the store's own, or a maintenance run's (its lease and lock bound). */
export type TransactionRunner = <T>(name: string, work: () => NotPromise<T>) => T;

/** Of rows found damaged earlier, those still there and still damaged now. */
function stillDamaged(storedRows: StoredRowsRepository, found: readonly DamagedRow[]): DamagedRow[] {
  return found.flatMap((earlier) => {
    const row = storedRows.rowAt(earlier.table, earlier.rowid);
    if (row === null) return [];
    const checked = checkRow(earlier.table, row);
    return checked.ok ? [] : [{ ...checked.damage, rowid: earlier.rowid }];
  });
}

/**
 * Delete every damaged row. A sync's row is archived first (as read, damaged values and
 * all, to the archive's `damaged.jsonl.gz`: the archive is where history goes when it
 * leaves the file), then deleted with its checkpoint (and the file log, once nothing
 * builds on it) and its progress trail.
 */
export function removeDamagedRows(
  context: StoreContext,
  found?: readonly DamagedRow[],
  write: TransactionRunner = (name, work) => context.write(name, work),
  /** More work for the same transaction as the deletes (a maintenance run's search cursor). */
  alongside: () => void = () => {},
): RowsRemoved {
  const { repos } = context;
  // Rows found by an earlier scan in steps are checked again: they may have changed since.
  const candidates = found ? stillDamaged(repos.storedRows, found) : findDamagedRows(repos.storedRows);
  const damaged = candidates.filter((row) => !ownedByLiveSync(context, row));
  const syncs = damaged.filter((d) => d.table === 'sync_history');
  // The archive's own protocol (archive-batch.ts): a pending file, then the rows deleted
  // and the file recorded in one transaction, then the file published; so a damaged sync
  // ends up in exactly one place whatever crashes or runs alongside.
  const batch = syncs.length > 0 ? writeDamagedBatch(context, syncs) : null;
  try {
    write('remove damaged rows', () => {
      for (const sync of syncs) {
        const jobId = repos.storedRows.syncJobIdAt(sync.rowid);
        // Gone since it was read (another repair): its archived copy must not stay.
        if (typeof jobId !== 'string')
          throw new ConflictError('a damaged sync row went while it was being archived');
        dropCheckpoint(repos, jobId);
        repos.storedRows.deleteTrail(jobId);
        repos.syncFigures.deleteFor([jobId]);
      }
      for (const row of damaged) repos.storedRows.deleteAt(row.table, row.rowid);
      if (batch) recordBatch(repos.storeMeta, batch);
      alongside();
    });
  } catch (error) {
    if (batch) discardBatch(batch);
    if (error instanceof ConflictError) return { removed: [], archived: 0 };
    throw error;
  }
  if (batch) {
    publishBatch(batch.pendingFile);
    write('settle damaged rows batch', () => repos.storeMeta.remove(batch.record));
  }
  return { removed: damaged, archived: syncs.length };
}

/** A sync row still being recorded by a live process is left to it (its next write may well fix it). */
function ownedByLiveSync(context: StoreContext, row: DamagedRow): boolean {
  if (row.table !== 'sync_history') return false;
  const stored = context.repos.storedRows.syncRowAt(row.rowid);
  const salvaged = salvageSyncRow(checkRow<SyncHistoryRow>('sync_history', stored), context.clock.now());
  return (
    salvaged !== null &&
    salvaged.status === 'running' &&
    isOwnerAlive(salvaged, context.clock, context.settings)
  );
}

/** Where damaged syncs are archived: a folder beside the month folders, never in them (readArchive checks every row). */
export const DAMAGED_ARCHIVE_NAME = 'damaged';

/**
 * The one place damaged sync rows go to the archive: a new pending batch file in
 * `{projectId}.archive/damaged/`, as read (JSON columns as their stored text). Not in a
 * month folder: its rows are all good, and readers rely on that.
 */
function writeDamagedBatch(context: StoreContext, syncs: DamagedRow[]): PendingBatch {
  const rows = syncs.map(
    (sync) => context.repos.storedRows.syncRowAt(sync.rowid) as unknown as SyncHistoryRow,
  );
  return writePendingBatch(
    archiveDirFor(context.connection.path, context.projectId),
    DAMAGED_ARCHIVE_NAME,
    rows,
  );
}

export type { DamagedRow, RepairResult, RowsRemoved };
