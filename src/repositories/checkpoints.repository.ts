import { eq, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type CheckpointRow, checkpoints } from '../schema';
import { checkpointMetadataSchema } from '../validation/json-columns';
import { parseCheckpointRow, readJsonRows } from '../validation/rows';

/** The latest checkpoint of each job (one row per job, replaced at every checkpoint). */
export class CheckpointsRepository {
  constructor(private readonly connection: Connection) {}

  upsert(row: CheckpointRow): void {
    checkpointMetadataSchema.parse(row.metadata);
    const { jobId, createdAt, ...changing } = row;
    this.connection.orm
      .insert(checkpoints)
      .values(row)
      .onConflictDoUpdate({ target: checkpoints.jobId, set: changing })
      .run();
  }

  findByJobId(jobId: string): CheckpointRow | null {
    const row = readJsonRows(`checkpoint of job ${jobId}`, () =>
      this.connection.orm.select().from(checkpoints).where(eq(checkpoints.jobId, jobId)).get(),
    );
    return row ? parseCheckpointRow(row) : null;
  }

  /** Just the keys, without parsing the JSON: for cleanup of rows that may be damaged. */
  findByJobIdRaw(jobId: string): { jobId: string; lineageId: string; seq: number } | null {
    return (
      this.connection.orm
        .select({ jobId: checkpoints.jobId, lineageId: checkpoints.lineageId, seq: checkpoints.seq })
        .from(checkpoints)
        .where(eq(checkpoints.jobId, jobId))
        .get() ?? null
    );
  }

  delete(jobId: string): boolean {
    return this.connection.orm.delete(checkpoints).where(eq(checkpoints.jobId, jobId)).run().changes > 0;
  }

  /** How many checkpoints still build on a lineage's file log. */
  countByLineage(lineageId: string): number {
    const row = this.connection.orm
      .select({ n: sql<number>`count(*)` })
      .from(checkpoints)
      .where(eq(checkpoints.lineageId, lineageId))
      .get();
    return row?.n ?? 0;
  }
}
