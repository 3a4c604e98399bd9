import { asc, eq, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type NewProgressUpdateRow, type ProgressUpdateRow, progressUpdates } from '../schema';
import { checkpointSummarySchema } from '../validation/json-columns';
import { trustedRow } from '../validation/rows';
import { inList, rawSelection, rowBytes } from './sql-helpers';

export type ProgressUpdateInsert = Omit<NewProgressUpdateRow, 'id' | 'checkpointData'> & {
  checkpointData: NewProgressUpdateRow['checkpointData'] | null;
};

/** The 1-per-second progress trail. The insert is the store's hottest statement: prepared once. */
export class ProgressUpdatesRepository {
  private readonly insertStatement;

  constructor(private readonly connection: Connection) {
    const p = (name: string) => sql`${sql.placeholder(name)}`;
    this.insertStatement = connection.orm
      .insert(progressUpdates)
      .values({
        jobId: p('jobId'),
        timestamp: p('timestamp'),
        elapsedMs: p('elapsedMs'),
        phase: p('phase'),
        overallProgress: p('overallProgress'),
        phaseProgress: p('phaseProgress'),
        filesProcessed: p('filesProcessed'),
        totalFiles: p('totalFiles'),
        rate: p('rate'),
        checkpointData: p('checkpointData'),
      })
      .prepare();
  }

  insert(row: ProgressUpdateInsert): void {
    const checkpointData =
      row.checkpointData == null ? null : JSON.stringify(checkpointSummarySchema.parse(row.checkpointData));
    this.insertStatement.run({ ...row, checkpointData });
  }

  /** A job's trail in recording order; a damaged row throws DamagedRowError (code CORRUPT). */
  listByJob(jobId: string): ProgressUpdateRow[] {
    return this.connection.orm
      .select(rawSelection(progressUpdates))
      .from(progressUpdates)
      .where(eq(progressUpdates.jobId, jobId))
      .orderBy(asc(progressUpdates.id))
      .all()
      .map((raw) => trustedRow<ProgressUpdateRow>('progress_updates', raw));
  }

  // Retention (services/retention): compaction and removal of old trails, in batches.

  /** What compaction decides on, for each row of a job's trail, in recording order. */
  trailShape(jobId: string): Array<{ id: number; phase: string; hasCheckpoint: boolean; bytes: number }> {
    return this.connection.orm
      .select({
        id: progressUpdates.id,
        phase: progressUpdates.phase,
        hasCheckpoint: sql<boolean>`${progressUpdates.checkpointData} IS NOT NULL`.mapWith(Boolean),
        bytes: rowBytes(progressUpdates),
      })
      .from(progressUpdates)
      .where(eq(progressUpdates.jobId, jobId))
      .orderBy(asc(progressUpdates.id))
      .all();
  }

  /** Up to `limit` trail rows of these jobs (in no particular order), with their payload bytes. */
  listForJobs(jobIds: string[], limit: number): Array<{ id: number; bytes: number }> {
    if (jobIds.length === 0) return [];
    return this.connection.orm
      .select({ id: progressUpdates.id, bytes: rowBytes(progressUpdates) })
      .from(progressUpdates)
      .where(inList(progressUpdates.jobId, jobIds))
      .limit(limit)
      .all();
  }

  /** How many trail rows these jobs have, and their payload bytes. */
  totalsForJobs(jobIds: string[]): { rows: number; bytes: number } {
    if (jobIds.length === 0) return { rows: 0, bytes: 0 };
    const row = this.connection.orm
      .select({
        rows: sql<number>`count(*)`.mapWith(Number),
        bytes: sql<number>`coalesce(sum(${rowBytes(progressUpdates)}), 0)`.mapWith(Number),
      })
      .from(progressUpdates)
      .where(inList(progressUpdates.jobId, jobIds))
      .get();
    return { rows: row?.rows ?? 0, bytes: row?.bytes ?? 0 };
  }

  deleteByIds(ids: number[]): number {
    if (ids.length === 0) return 0;
    return this.connection.orm.delete(progressUpdates).where(inList(progressUpdates.id, ids)).run().changes;
  }
}
