import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The figures of each completed logical sync, as the history report reads them: written
 * in the transaction that completes the sync (and, for syncs completed before this table
 * existed, by migration 0006), from its `sync_history` row and the runs it resumed. A
 * report over 10k syncs reads these few columns instead of summing resume chains and
 * parsing every run's phase durations (repositories/sync-figures.sql.ts).
 *
 * Derived data: `sync_history` stays the record. The report uses these rows only while
 * they are exactly the window's completed syncs, and each value is checked as it is read;
 * otherwise it computes the same figures from `sync_history` (services/metrics).
 */
export const syncFigures = sqliteTable(
  'sync_figures',
  {
    /** The `sync_history` id of the sync's last (completed) run. */
    syncId: integer('sync_id').primaryKey(),
    projectId: text('project_id').notNull(),
    /** The last run's start: the window the sync belongs to. */
    startTime: integer('start_time').notNull(),
    /** Every run of the resume chain, summed. */
    durationMs: integer('duration_ms').notNull(),
    filesIndexed: integer('files_indexed'),
    bytesProcessed: integer('bytes_processed'),
    /** JSON array of phase names: the chain's phase durations summed per phase. */
    phaseNames: text('phase_names').notNull(),
    /** JSON array of the durations of those phases, in the same order. */
    phaseMs: text('phase_ms').notNull(),
  },
  (t) => [index('sync_figures_start_time_idx').on(t.projectId, t.startTime)],
);

export type SyncFiguresRow = typeof syncFigures.$inferSelect;
