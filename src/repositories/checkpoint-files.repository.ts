import { eq } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { checkpointFiles } from '../schema';
import { FILE_EVENT_KINDS, type FileEventKind } from '../schema/sync-status';
import type { JoinedPaths } from '../validation/path-list';
import {
  checksum,
  encodeJoinedPaths,
  encodeOrdinals,
  encodePaths,
  InconsistentFileLogError,
} from './file-log-codec';

export type OrdinalEventKind = Exclude<FileEventKind, 'planned'>;

/**
 * An event as the recorder hands it over: new paths at the end of the list, or ordinals
 * into it. New paths may come already joined as stored (when they were checked that way),
 * so the list is not joined twice.
 */
export type FileEvent =
  | { kind: 'planned'; first: number; paths: readonly string[]; joined?: JoinedPaths }
  | { kind: OrdinalEventKind; ordinals: readonly number[] };

/**
 * An event as read back; decoding is left to the ledger. A list row's paths are read
 * (and their checksum verified) only when `read()` is called: a resume reads the rows
 * that hold pending files, not the whole list. Ordinal rows come with their data, verified.
 */
export type StoredFileEvent =
  | { kind: 'planned'; first: number; count: number; read: () => Buffer }
  | { kind: OrdinalEventKind; count: number; data: Buffer };

/** Rows hold at most this many paths, so no single row grows with the repository. */
export const PATHS_PER_ROW = 10_000;

interface RawRow {
  id: number;
  kind: string;
  first_ordinal: number;
  item_count: number;
  data: Buffer;
  /** planned rows: the length of `data`, read without its bytes (they are read on demand). */
  data_bytes: number | null;
  checksum: number;
}

/** The append-only file log of a checkpoint lineage (see the schema for the layout). */
export class CheckpointFilesRepository {
  private readonly insertStatement;
  private readonly selectStatement;
  private readonly selectDataStatement;

  constructor(private readonly connection: Connection) {
    this.insertStatement = connection.sqlite.prepare(
      `INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectStatement = connection.sqlite.prepare(
      `SELECT id, kind, first_ordinal, item_count, CASE WHEN kind = 'planned' THEN NULL ELSE data END AS data,
         CASE WHEN kind = 'planned' THEN length(data) END AS data_bytes, checksum
       FROM checkpoint_files WHERE lineage_id = ? ORDER BY id`,
    );
    this.selectDataStatement = connection.sqlite.prepare(
      'SELECT data, checksum FROM checkpoint_files WHERE id = ?',
    );
  }

  /** Append one event; large path lists are split across rows. Empty events write nothing. */
  append(lineageId: string, jobId: string, checkpointSeq: number, event: FileEvent): void {
    if (event.kind === 'planned') {
      const { paths, joined } = event;
      for (let start = 0; start < paths.length; start += PATHS_PER_ROW) {
        const end = Math.min(start + PATHS_PER_ROW, paths.length);
        const data = joined ? encodeJoinedPaths(joined, start, end) : encodePaths(paths.slice(start, end));
        this.insertRow(lineageId, jobId, checkpointSeq, 'planned', event.first + start, end - start, data);
      }
    } else if (event.ordinals.length > 0) {
      this.insertRow(
        lineageId,
        jobId,
        checkpointSeq,
        event.kind,
        0,
        event.ordinals.length,
        encodeOrdinals(event.ordinals),
      );
    }
  }

  /**
   * The whole log of a lineage, oldest first. Throws InconsistentFileLogError on a row that
   * changed since it was written (checked as its data is read).
   */
  list(lineageId: string): StoredFileEvent[] {
    const rows = this.selectStatement.all(lineageId) as RawRow[];
    return rows.map((row) => {
      if (!(FILE_EVENT_KINDS as readonly string[]).includes(row.kind)) {
        throw new InconsistentFileLogError(`unknown event kind ${JSON.stringify(row.kind)}`);
      }
      if (row.kind === 'planned') {
        // The count is not covered by the checksum (the data's), and the ledger sizes its
        // arrays by it: a damaged one must be refused here, not become a RangeError there.
        if (!holdsPaths(row.data_bytes, row.item_count)) {
          throw new InconsistentFileLogError(
            `a planned row says it holds ${row.item_count} paths in ${row.data_bytes} bytes`,
          );
        }
        return {
          kind: 'planned',
          first: row.first_ordinal,
          count: row.item_count,
          read: () => this.readListRow(row.id),
        };
      }
      return { kind: row.kind as OrdinalEventKind, count: row.item_count, data: verified(row) };
    });
  }

  private readListRow(id: number): Buffer {
    const row = this.selectDataStatement.get(id) as Pick<RawRow, 'data' | 'checksum'> | undefined;
    if (!row) throw new InconsistentFileLogError('a planned row is gone');
    return verified({ kind: 'planned', ...row });
  }

  deleteLineage(lineageId: string): number {
    return this.connection.orm.delete(checkpointFiles).where(eq(checkpointFiles.lineageId, lineageId)).run()
      .changes;
  }

  private insertRow(
    lineageId: string,
    jobId: string,
    seq: number,
    kind: FileEventKind,
    first: number,
    count: number,
    data: Buffer,
  ) {
    this.insertStatement.run(lineageId, jobId, seq, kind, first, count, data, checksum(data));
  }
}

/** Whether a list of `bytes` bytes can hold `count` paths: one byte at least each, NUL between them. */
function holdsPaths(bytes: number | null, count: number): boolean {
  return Number.isSafeInteger(count) && count >= 1 && bytes !== null && 2 * count - 1 <= bytes;
}

function verified(row: Pick<RawRow, 'kind' | 'data' | 'checksum'>): Buffer {
  if (!Buffer.isBuffer(row.data) || checksum(row.data) !== row.checksum) {
    throw new InconsistentFileLogError(`a ${row.kind} row does not match its checksum`);
  }
  return row.data;
}
