import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The figures of each completed logical sync, as the history report reads them: written
 * in the transaction that completes the sync (and, for syncs completed before this table
 * existed, by migration 0006), from its `sync_history` row and the runs it resumed. A
 * report over 10k syncs reads these few columns instead of summing resume chains and
 * parsing every run's phase durations (repositories/sync-figures.sql.ts).
 *
 * Derived data: `sync_history` stays the record. The report uses these rows only while
 * they are exactly the window's completed syncs, and each value is checked as it is read;
 * otherwise it computes the same figures from `sync_history` (services/metrics). A sync
 * some of whose figures are not whole numbers (only a hand edit makes one) gets no row.
 */
export const syncFigures = sqliteTable(
  'sync_figures',
  {
    /** The `sync_history` id of the sync's last (completed) run. */
    syncId: integer('sync_id').primaryKey(),
    projectId: text('project_id').notNull(),
    /** The last run's start: the window the sync belongs to. */
    startTime: integer('start_time').notNull(),
    /** JSON array of the phases' names, in the order of their durations in `figures`. */
    phaseNames: text('phase_names').notNull(),
    /**
     * The figures, packed: 8-byte big-endian integers, the chain's summed duration, files
     * indexed, bytes processed (-1: not reported), then one duration per phase name. A
     * report reads thousands of these as one BLOB rather than parsing text.
     */
    figures: blob('figures', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('sync_figures_start_time_idx').on(t.projectId, t.startTime)],
);

export type SyncFiguresRow = typeof syncFigures.$inferSelect;
