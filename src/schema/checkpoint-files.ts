import { sql } from 'drizzle-orm';
import { blob, check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { FILE_EVENT_KINDS, type FileEventKind, sqlInList } from './sync-status';

/**
 * Append-only log of what happened to the files of a checkpoint lineage (a sync and the
 * syncs that resumed it). The lineage's file list is stored once: `planned` rows hold
 * paths in UTF-8, NUL-separated (the one byte no path can hold), at most 10k a row, and
 * each path's ordinal is its place in that list (`first_ordinal` + its index in the row).
 * Every other event (completed, skipped, reopened, removed) holds ordinals into the list,
 * sorted and packed as runs of varints (see services/recording/ordinal-runs.ts), so a
 * checkpoint writes a few KB and a resume reads the list and a few small blobs.
 * `checksum` is the CRC-32 of `data`: the paths were checked against the path rules when
 * they were written, and a row that changed since is not trusted.
 */
export const checkpointFiles = sqliteTable(
  'checkpoint_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineageId: text('lineage_id').notNull(),
    jobId: text('job_id').notNull(),
    checkpointSeq: integer('checkpoint_seq').notNull(),
    kind: text('kind').$type<FileEventKind>().notNull(),
    /** planned: ordinal of the row's first path; other kinds: 0. */
    firstOrdinal: integer('first_ordinal').notNull(),
    /** Paths (planned) or ordinals (other kinds) in the row. */
    itemCount: integer('item_count').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
    checksum: integer('checksum').notNull(),
  },
  (t) => [
    index('checkpoint_files_lineage_id_idx').on(t.lineageId, t.id),
    check('checkpoint_files_kind_check', sql.raw(`kind IN (${sqlInList(FILE_EVENT_KINDS)})`)),
    check('checkpoint_files_count_check', sql`${t.itemCount} > 0 AND ${t.firstOrdinal} >= 0`),
  ],
);

export type CheckpointFilesRow = typeof checkpointFiles.$inferSelect;
