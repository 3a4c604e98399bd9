import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { PhaseDefinition, SyncErrorRecord } from '../validation/json-columns';
import { SYNC_STATUSES, type SyncStatus, sqlInList } from './sync-status';
import { trustedActivity, trustedFigures } from './sync-history-trust';

/**
 * One row per sync, written when it starts and kept up to date while it runs, so the
 * same row is both the live record (owner, heartbeat) and, once finished, its history.
 * Times are ms since the epoch; durations come from a monotonic clock. `id` is the
 * insertion sequence: "latest" always means highest id, never latest wall-clock time.
 */
export const syncHistory = sqliteTable(
  'sync_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: text('job_id').notNull().unique(),
    projectId: text('project_id').notNull(),
    status: text('status').$type<SyncStatus>().notNull().default('running'),
    startTime: integer('start_time').notNull(),
    endTime: integer('end_time'),
    lastActivityAt: integer('last_activity_at').notNull(),
    /** The host's monotonic clock (ms since boot) at the last activity; with the boot id it
     * measures the sync's age on the same machine without trusting the wall clock. */
    lastActivityMono: integer('last_activity_mono'),
    totalDuration: integer('total_duration'),
    phaseDurations: text('phase_durations', { mode: 'json' }).$type<Record<string, number>>(),
    phases: text('phases', { mode: 'json' }).$type<PhaseDefinition[]>().notNull(),
    currentPhase: text('current_phase'),
    overallProgress: real('overall_progress').notNull().default(0),
    filesProcessed: integer('files_processed').notNull().default(0),
    totalFiles: integer('total_files').notNull().default(0),
    filesChanged: integer('files_changed'),
    filesIndexed: integer('files_indexed'),
    bytesProcessed: integer('bytes_processed'),
    errors: text('errors', { mode: 'json' }).$type<SyncErrorRecord[]>(),
    gitCommit: text('git_commit'),
    ownerPid: integer('owner_pid'),
    ownerHost: text('owner_host'),
    ownerStartedAt: integer('owner_started_at'),
    ownerBootId: text('owner_boot_id'),
    resumedFromJobId: text('resumed_from_job_id'),
    resumedByJobId: text('resumed_by_job_id'),
    peakMemoryBytes: integer('peak_memory_bytes'),
    meanCpuPercent: real('mean_cpu_percent'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [
    index('sync_history_project_id_idx').on(t.projectId),
    index('sync_history_start_time_idx').on(t.startTime),
    // Running rows are a handful among thousands. Not with the last activity: every
    // progress write changes that, and moving an index entry was a sixth of its cost.
    index('sync_history_status_idx').on(t.status),
    // The newest completion (what cached history figures are keyed on): a progress write
    // is to a running row, which this partial index never holds.
    index('sync_history_completed_activity_idx').on(t.lastActivityAt).where(sql.raw(`status = 'completed'`)),
    // Everything the report's pass over a window reads of each run (WINDOW_PASS), so the
    // pass reads this index alone, not a wide row per run. Progress writes change none of it.
    index('sync_history_window_idx').on(
      t.projectId,
      t.startTime,
      t.status,
      t.resumedFromJobId,
      t.peakMemoryBytes,
      t.meanCpuPercent,
    ),
    // The report's failure points read only the runs that recorded errors, a few in a hundred.
    index('sync_history_errors_start_time_idx').on(t.startTime).where(sql.raw(`errors IS NOT NULL`)),
    // Damaged rows, which every report leaves out: SQLite keeps the list as rows are
    // written (by any program), so a report finds them without checking every row.
    index('sync_history_damaged_figures_idx')
      .on(t.projectId)
      .where(sql.raw(`NOT ${trustedFigures('')}`)),
    index('sync_history_damaged_activity_idx')
      .on(t.projectId)
      .where(sql.raw(`NOT ${trustedActivity('')}`)),
    check('sync_history_status_check', sql.raw(`status IN (${sqlInList(SYNC_STATUSES)})`)),
    check('sync_history_progress_check', sql`${t.overallProgress} BETWEEN 0 AND 100`),
    check('sync_history_counts_check', sql`${t.filesProcessed} >= 0 AND ${t.totalFiles} >= 0`),
  ],
);

export type SyncHistoryRow = typeof syncHistory.$inferSelect;
export type NewSyncHistoryRow = typeof syncHistory.$inferInsert;
