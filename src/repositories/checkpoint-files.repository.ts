import { asc, eq, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { checkpointFiles } from '../schema';
import type { FileEventKind } from '../schema/sync-status';

export interface FileEvent {
  kind: FileEventKind;
  jobId: string;
  checkpointSeq: number;
  paths: string[];
}

/** Rows hold at most this many paths, so no single row grows with the repository. */
export const PATHS_PER_ROW = 10_000;

/** The append-only file log of a checkpoint lineage (see the schema for the layout). */
export class CheckpointFilesRepository {
  private readonly insertStatement;

  constructor(private readonly connection: Connection) {
    const p = (name: string) => sql`${sql.placeholder(name)}`;
    this.insertStatement = connection.orm
      .insert(checkpointFiles)
      .values({
        lineageId: p('lineageId'),
        jobId: p('jobId'),
        checkpointSeq: p('checkpointSeq'),
        kind: p('kind'),
        pathCount: p('pathCount'),
        paths: p('paths'),
      })
      .prepare();
  }

  /** Append one event; large batches are split across rows. Empty batches write nothing. */
  append(lineageId: string, event: FileEvent): void {
    for (let start = 0; start < event.paths.length; start += PATHS_PER_ROW) {
      const chunk = event.paths.slice(start, start + PATHS_PER_ROW);
      this.insertStatement.run({
        lineageId,
        jobId: event.jobId,
        checkpointSeq: event.checkpointSeq,
        kind: event.kind,
        pathCount: chunk.length,
        paths: chunk.join('\n'),
      });
    }
  }

  /** The whole log of a lineage, oldest first. */
  list(lineageId: string): FileEvent[] {
    return this.connection.orm
      .select()
      .from(checkpointFiles)
      .where(eq(checkpointFiles.lineageId, lineageId))
      .orderBy(asc(checkpointFiles.id))
      .all()
      .map((row) => ({
        kind: row.kind,
        jobId: row.jobId,
        checkpointSeq: row.checkpointSeq,
        paths: row.paths.split('\n'),
      }));
  }

  deleteLineage(lineageId: string): number {
    return this.connection.orm.delete(checkpointFiles).where(eq(checkpointFiles.lineageId, lineageId)).run()
      .changes;
  }
}
