/**
 * Converts the file log of release 0.1 files. 0.1 kept every event's paths newline-joined
 * in `checkpoint_files`; migration 0002 moves that table aside as `checkpoint_files_v01`
 * (SQL cannot turn paths into ordinals), and this rewrites it in the new layout and drops
 * it, inside the transaction that migrates: whichever migrator ran 0002 (the store at
 * open, or `drizzle-kit migrate`), the store's next open finishes the job exactly once
 * (the table's presence is the record that it is still to do).
 *
 * Each lineage is replayed as 0.1 did (a path's ordinal is its place in the planned
 * list; a removed path planned again gets a new one), so a resume gives the same plan,
 * in the same order. A lineage whose log does not replay (damaged) is left out: its
 * checkpoint then disagrees with its empty log and a resume says a full sync is needed.
 */
import type { Database } from 'better-sqlite3';
import { checksum, encodeOrdinals, encodePaths } from '../repositories/file-log-codec';
import { filePathProblem } from '../validation/file-paths';

export const LEGACY_FILE_LOG_TABLE = 'checkpoint_files_v01';

interface LegacyRow {
  lineage_id: string;
  job_id: string;
  checkpoint_seq: number;
  kind: string;
  paths: string;
}

interface ConvertedRow {
  jobId: string;
  seq: number;
  kind: string;
  first: number;
  count: number;
  data: Buffer;
}

export interface LegacyConversion {
  lineages: number;
  /** Lineages whose 0.1 log did not replay, left out. */
  dropped: string[];
}

/** Convert and drop the 0.1 file log if it is there. Call inside the migrating transaction. */
export function convertLegacyFileLog(sqlite: Database): LegacyConversion | null {
  const present = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(LEGACY_FILE_LOG_TABLE);
  if (!present) return null;
  const insert = sqlite.prepare(
    `INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const lineages = sqlite
    .prepare(`SELECT DISTINCT lineage_id FROM ${LEGACY_FILE_LOG_TABLE}`)
    .pluck()
    .all() as string[];
  const selectLineage = sqlite.prepare(
    `SELECT lineage_id, job_id, checkpoint_seq, kind, paths FROM ${LEGACY_FILE_LOG_TABLE} WHERE lineage_id = ? ORDER BY id`,
  );
  const dropped: string[] = [];
  for (const lineageId of lineages) {
    const converted = convertLineage(selectLineage.all(lineageId) as LegacyRow[]);
    if (!converted) {
      dropped.push(lineageId);
      continue;
    }
    for (const row of converted) {
      insert.run(lineageId, row.jobId, row.seq, row.kind, row.first, row.count, row.data, checksum(row.data));
    }
  }
  sqlite.exec(`DROP TABLE ${LEGACY_FILE_LOG_TABLE}`);
  return { lineages: lineages.length, dropped };
}

/** One lineage's rows in the new layout, or null when its log contradicts itself. */
function convertLineage(rows: LegacyRow[]): ConvertedRow[] | null {
  const live = new Map<string, number>(); // path -> ordinal, for paths in the plan
  const state = new Map<number, string>(); // ordinal -> pending | completed | skipped
  let total = 0;
  const out: ConvertedRow[] = [];
  for (const row of rows) {
    const paths = row.paths.split('\n');
    if (row.kind === 'planned') {
      for (const path of paths) {
        if (live.has(path) || filePathProblem(path)) return null;
        live.set(path, total);
        state.set(total++, 'pending');
      }
      out.push({
        jobId: row.job_id,
        seq: row.checkpoint_seq,
        kind: 'planned',
        first: total - paths.length,
        count: paths.length,
        data: encodePaths(paths),
      });
      continue;
    }
    // A path named twice in one event fails its second turn: it finds the state the first left.
    const ordinals: number[] = [];
    for (const path of paths) {
      const ordinal = live.get(path);
      if (ordinal === undefined) return null;
      const from = state.get(ordinal);
      if (row.kind === 'completed' || row.kind === 'skipped') {
        if (from !== 'pending') return null;
        state.set(ordinal, row.kind);
      } else if (row.kind === 'reopened') {
        if (from !== 'completed' && from !== 'skipped') return null;
        state.set(ordinal, 'pending');
      } else if (row.kind === 'removed') {
        state.delete(ordinal);
        live.delete(path);
      } else {
        return null;
      }
      ordinals.push(ordinal);
    }
    out.push({
      jobId: row.job_id,
      seq: row.checkpoint_seq,
      kind: row.kind,
      first: 0,
      count: ordinals.length,
      data: encodeOrdinals(ordinals),
    });
  }
  return out;
}
