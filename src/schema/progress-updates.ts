import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CheckpointSummary } from '../validation/json-columns';

/**
 * The 1-per-second progress trail of a sync. `id` orders the trail (a wall clock that
 * jumps back never reorders it); `elapsed_ms` is monotonic time since the sync started.
 */
export const progressUpdates = sqliteTable(
  'progress_updates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: text('job_id').notNull(),
    timestamp: integer('timestamp').notNull(),
    elapsedMs: integer('elapsed_ms').notNull(),
    phase: text('phase').notNull(),
    overallProgress: real('overall_progress').notNull(),
    phaseProgress: real('phase_progress').notNull(),
    filesProcessed: integer('files_processed').notNull(),
    totalFiles: integer('total_files').notNull(),
    rate: real('rate').notNull(),
    checkpointData: text('checkpoint_data', { mode: 'json' }).$type<CheckpointSummary>(),
  },
  (t) => [
    index('progress_updates_job_id_idx').on(t.jobId),
    check(
      'progress_updates_progress_check',
      sql`${t.overallProgress} BETWEEN 0 AND 100 AND ${t.phaseProgress} BETWEEN 0 AND 100`,
    ),
  ],
);

export type ProgressUpdateRow = typeof progressUpdates.$inferSelect;
export type NewProgressUpdateRow = typeof progressUpdates.$inferInsert;
