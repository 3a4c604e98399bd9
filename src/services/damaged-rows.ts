import type { Database } from 'better-sqlite3';
import type { SyncHistoryRow } from '../schema';
import { CHECKED_TABLES, type CheckedTable, checkRow, keyedBySqlName, type RowDamage } from '../validation/rows';
import { appendToArchive, archiveDirFor, groupByMonth } from './retention/archive';
import { dropCheckpoint } from './drop-checkpoint';
import type { StoreContext } from './store-context';

/**
 * Find and remove damaged rows (see validation/rows): what `doctor` lists and
 * `doctor --repair` deletes. A damaged row is readable, so the file itself is not moved
 * aside for it; it is checked like every row the store reads, here for the whole file.
 */

/** A damaged row and where it is, so that it can be removed. */
export interface DamagedRow extends RowDamage {
  rowid: number;
}

/** Every damaged row of the checked tables, in table then rowid order. Reads only. */
export function findDamagedRows(sqlite: Database): DamagedRow[] {
  const found: DamagedRow[] = [];
  for (const table of Object.keys(CHECKED_TABLES) as CheckedTable[]) {
    // Table names come from the constant list, never from input.
    const rows = sqlite.prepare(`SELECT rowid AS "__rowid", * FROM "${table}" ORDER BY rowid`).iterate() as IterableIterator<Record<string, unknown>>;
    for (const sqlRow of rows) {
      const checked = checkRow(table, keyedBySqlName(table, sqlRow));
      if (!checked.ok) found.push({ ...checked.damage, rowid: Number(sqlRow.__rowid) });
    }
  }
  return found;
}

export interface RepairResult {
  removed: DamagedRow[];
  /** Damaged sync_history rows written to the archive before they were deleted. */
  archived: number;
}

/**
 * Delete every damaged row. A sync's row is archived first (as read, damaged values and
 * all: the archive is where history goes when it leaves the file), then deleted with its
 * checkpoint (and the file log, once nothing builds on it) and its progress trail.
 */
export function removeDamagedRows(context: StoreContext): RepairResult {
  const { connection, repos } = context;
  const damaged = findDamagedRows(connection.sqlite);
  const syncs = damaged.filter((d) => d.table === 'sync_history');
  const archived = archiveDamagedSyncs(context, syncs);
  context.write('remove damaged rows', () => {
    const jobIdOf = connection.sqlite.prepare('SELECT job_id AS jobId FROM sync_history WHERE rowid = ?').pluck();
    for (const sync of syncs) {
      const jobId = jobIdOf.get(sync.rowid);
      if (typeof jobId === 'string') {
        dropCheckpoint(repos, jobId);
        connection.sqlite.prepare('DELETE FROM progress_updates WHERE job_id = ?').run(jobId);
      }
    }
    for (const row of damaged) {
      connection.sqlite.prepare(`DELETE FROM "${row.table}" WHERE rowid = ?`).run(row.rowid);
    }
  });
  return { removed: damaged, archived };
}

/** The one place damaged sync rows go to the archive: the archive's own "append these rows". */
function archiveDamagedSyncs(context: StoreContext, syncs: DamagedRow[]): number {
  if (syncs.length === 0) return 0;
  const read = context.connection.sqlite.prepare('SELECT * FROM sync_history WHERE rowid = ?');
  const now = context.clock.now();
  const rows = syncs.map((sync) => {
    const row = keyedBySqlName('sync_history', read.get(sync.rowid) as Record<string, unknown>) as unknown as SyncHistoryRow;
    // The month file is chosen by start time; a damaged one goes under this month.
    return Number.isSafeInteger(row.startTime) ? row : { ...row, startTime: now };
  });
  const dir = archiveDirFor(context.connection.path, context.projectId);
  for (const [month, group] of groupByMonth(rows)) appendToArchive(dir, month, group);
  return rows.length;
}
