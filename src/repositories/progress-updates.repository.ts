import { asc, eq, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type NewProgressUpdateRow, type ProgressUpdateRow, progressUpdates } from '../schema';
import { checkpointSummarySchema } from '../validation/json-columns';
import { parseProgressUpdateRow, readJsonRows } from '../validation/rows';

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

  /** A job's trail in recording order. */
  listByJob(jobId: string): ProgressUpdateRow[] {
    return readJsonRows(`progress updates of job ${jobId}`, () =>
      this.connection.orm
        .select()
        .from(progressUpdates)
        .where(eq(progressUpdates.jobId, jobId))
        .orderBy(asc(progressUpdates.id))
        .all(),
    ).map(parseProgressUpdateRow);
  }
}
