import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CheckpointMetadata } from '../validation/json-columns';

/**
 * The latest checkpoint of a sync: one row per job, rewritten at every 5% boundary and
 * phase change. The file lists are not here: they live in `checkpoint_files` as an
 * append-only log shared by every sync of a lineage (a sync and the syncs that resumed
 * it), so writing a checkpoint costs what changed since the previous one. `seq` counts
 * the checkpoints of the job; the log entries written with it carry the same number.
 */
export const checkpoints = sqliteTable(
  'checkpoints',
  {
    jobId: text('job_id').primaryKey(),
    lineageId: text('lineage_id').notNull(),
    seq: integer('seq').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    gitCommit: text('git_commit'),
    phase: text('phase').notNull(),
    phaseProgress: real('phase_progress').notNull(),
    overallProgress: real('overall_progress').notNull(),
    phaseStartedAt: integer('phase_started_at').notNull(),
    filesCompleted: integer('files_completed').notNull(),
    filesPending: integer('files_pending').notNull(),
    filesSkipped: integer('files_skipped').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<CheckpointMetadata>().notNull(),
  },
  (t) => [
    index('checkpoints_updated_at_idx').on(t.updatedAt),
    index('checkpoints_lineage_id_idx').on(t.lineageId),
    check(
      'checkpoints_counts_check',
      sql`${t.filesCompleted} >= 0 AND ${t.filesPending} >= 0 AND ${t.filesSkipped} >= 0 AND ${t.seq} >= 0`,
    ),
  ],
);

export type CheckpointRow = typeof checkpoints.$inferSelect;
export type NewCheckpointRow = typeof checkpoints.$inferInsert;
