import { and, asc, eq, lt, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { checkpointFiles, type CheckpointRow, checkpoints } from '../schema';
import { checkpointMetadataSchema } from '../validation/json-columns';
import { trustedRow } from '../validation/rows';
import { rawSelection, rowBytes } from './sql-helpers';

/** The latest checkpoint of each job (one row per job, replaced at every checkpoint). */
export class CheckpointsRepository {
  private readonly upsertStatement;
  private readonly selectByJobId;
  private readonly selectKeysByJobId;

  constructor(private readonly connection: Connection) {
    // Prepared once: it runs at every checkpoint, where building the query each time
    // was about half of a small checkpoint's cost (see BENCHMARKS.md).
    const p = (name: string) => sql`${sql.placeholder(name)}`;
    // Column names come from the schema; sql.identifier quotes them.
    const excluded = (column: { name: string }) => sql`excluded.${sql.identifier(column.name)}`;
    const c = checkpoints;
    this.upsertStatement = connection.orm
      .insert(checkpoints)
      .values({
        jobId: p('jobId'),
        lineageId: p('lineageId'),
        seq: p('seq'),
        createdAt: p('createdAt'),
        updatedAt: p('updatedAt'),
        gitCommit: p('gitCommit'),
        phase: p('phase'),
        phaseProgress: p('phaseProgress'),
        overallProgress: p('overallProgress'),
        phaseStartedAt: p('phaseStartedAt'),
        filesCompleted: p('filesCompleted'),
        filesPending: p('filesPending'),
        filesSkipped: p('filesSkipped'),
        metadata: p('metadata'),
      })
      .onConflictDoUpdate({
        target: c.jobId,
        // Everything but the key and when the job's first checkpoint was made.
        set: {
          lineageId: excluded(c.lineageId),
          seq: excluded(c.seq),
          updatedAt: excluded(c.updatedAt),
          gitCommit: excluded(c.gitCommit),
          phase: excluded(c.phase),
          phaseProgress: excluded(c.phaseProgress),
          overallProgress: excluded(c.overallProgress),
          phaseStartedAt: excluded(c.phaseStartedAt),
          filesCompleted: excluded(c.filesCompleted),
          filesPending: excluded(c.filesPending),
          filesSkipped: excluded(c.filesSkipped),
          metadata: excluded(c.metadata),
        },
      })
      .prepare();
    // Prepared once too: a resume reads the checkpoint at checkResumable(), in prepare and
    // again under the claim's lock.
    const byJobId = eq(checkpoints.jobId, sql.placeholder('jobId'));
    this.selectByJobId = connection.orm
      .select(rawSelection(checkpoints))
      .from(checkpoints)
      .where(byJobId)
      .prepare();
    this.selectKeysByJobId = connection.orm
      .select({ jobId: checkpoints.jobId, lineageId: checkpoints.lineageId, seq: checkpoints.seq })
      .from(checkpoints)
      .where(byJobId)
      .prepare();
  }

  upsert(row: CheckpointRow): void {
    checkpointMetadataSchema.parse(row.metadata);
    // A placeholder skips the JSON column's own encoding: encode it here.
    this.upsertStatement.run({ ...row, metadata: JSON.stringify(row.metadata) });
  }

  /** The job's checkpoint, checked; a damaged one throws DamagedRowError (code CORRUPT). */
  findByJobId(jobId: string): CheckpointRow | null {
    const raw = this.selectByJobId.get({ jobId });
    return raw ? trustedRow<CheckpointRow>('checkpoints', raw) : null;
  }

  /** Just the keys, without parsing the JSON: for cleanup of rows that may be damaged. */
  findByJobIdRaw(jobId: string): { jobId: string; lineageId: string; seq: number } | null {
    return this.selectKeysByJobId.get({ jobId }) ?? null;
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

  /**
   * Retention: checkpoints last updated before `cutoff`, oldest first, after the cursor
   * (updated_at, job_id), each with what removing it frees (see ExpiringCheckpoint).
   */
  listUpdatedBefore(
    cutoff: number,
    after: { updatedAt: number; jobId: string } | null,
    limit: number,
  ): ExpiringCheckpoint[] {
    return this.selectExpiring()
      .where(
        and(
          lt(checkpoints.updatedAt, cutoff),
          after
            ? sql`(${checkpoints.updatedAt}, ${checkpoints.jobId}) > (${after.updatedAt}, ${after.jobId})`
            : undefined,
        ),
      )
      .orderBy(asc(checkpoints.updatedAt), asc(checkpoints.jobId))
      .limit(limit)
      .all();
  }

  /** Retention: one job's checkpoint with what removing it frees. */
  findExpiring(jobId: string): ExpiringCheckpoint | null {
    return this.selectExpiring().where(eq(checkpoints.jobId, jobId)).get() ?? null;
  }

  private selectExpiring() {
    // Correlated subqueries name their tables in full: drizzle leaves the columns of a
    // single-table select unqualified, which inside a subquery would bind to the inner table.
    const ofLineage = sql`checkpoint_files.lineage_id = checkpoints.lineage_id`;
    return this.connection.orm
      .select({
        jobId: checkpoints.jobId,
        lineageId: checkpoints.lineageId,
        updatedAt: checkpoints.updatedAt,
        bytes: rowBytes(checkpoints),
        lineageCheckpoints:
          sql<number>`(SELECT count(*) FROM checkpoints AS sibling WHERE sibling.lineage_id = checkpoints.lineage_id)`.mapWith(
            Number,
          ),
        lineageRows: sql<number>`(SELECT count(*) FROM checkpoint_files WHERE ${ofLineage})`.mapWith(Number),
        lineageBytes:
          sql<number>`(SELECT coalesce(sum(${rowBytes(checkpointFiles)}), 0) FROM checkpoint_files WHERE ${ofLineage})`.mapWith(
            Number,
          ),
      })
      .from(checkpoints);
  }
}

/** A checkpoint retention may remove, with what removing it frees. */
export interface ExpiringCheckpoint {
  jobId: string;
  lineageId: string;
  updatedAt: number;
  bytes: number;
  /** Checkpoints building on the lineage's file log (the log goes with the last of them). */
  lineageCheckpoints: number;
  lineageRows: number;
  lineageBytes: number;
}
