/**
 * The tables of a store file. No foreign keys are declared, on purpose (the connection
 * sets no `foreign_keys` pragma; the driver's build has enforcement on, which checks
 * nothing while none is declared):
 * - the file log (`checkpoint_files`) belongs to a lineage (the syncs that resumed one
 *   another), not to one checkpoint or sync row: it outlives the row that started it;
 * - retention deletes in its own order, in bounded batches each in its own transaction
 *   (a sync is written to an archive file first, then its trail goes, then its history
 *   row; checkpoints expire on their own clock), and a cascade would turn one bounded
 *   delete into an unbounded one;
 * - drizzle-kit's table rebuilds switch enforcement off with a pragma that does nothing
 *   inside the migrator's transaction, so a key with ON DELETE CASCADE would make a
 *   rebuild delete the child rows.
 * What ties rows together is the job id and lineage id, checked where rows are read. A key
 * added later comes with the delete order above and a migration that never rebuilds.
 */
export * from './sync-history';
export * from './sync-figures';
export * from './progress-updates';
export * from './checkpoints';
export * from './checkpoint-files';
export * from './store-meta';
export * from './sync-status';
