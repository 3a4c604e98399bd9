import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { FILE_EVENT_KINDS, type FileEventKind, sqlInList } from './sync-status';

/**
 * Append-only log of what happened to the files of a checkpoint lineage: a batch of
 * paths planned, completed, skipped, reopened (changed in git after completion) or
 * removed (deleted in git). Replaying the log in `id` order gives the completed,
 * pending and skipped sets. Paths are stored newline-joined: reading 500k paths back
 * with one split is several times faster than JSON.parse, and paths with newlines are
 * rejected at the boundary.
 */
export const checkpointFiles = sqliteTable(
  'checkpoint_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineageId: text('lineage_id').notNull(),
    jobId: text('job_id').notNull(),
    checkpointSeq: integer('checkpoint_seq').notNull(),
    kind: text('kind').$type<FileEventKind>().notNull(),
    pathCount: integer('path_count').notNull(),
    paths: text('paths').notNull(),
  },
  (t) => [
    index('checkpoint_files_lineage_id_idx').on(t.lineageId, t.id),
    check('checkpoint_files_kind_check', sql.raw(`kind IN (${sqlInList(FILE_EVENT_KINDS)})`)),
    check('checkpoint_files_count_check', sql`${t.pathCount} > 0`),
  ],
);

export type CheckpointFilesRow = typeof checkpointFiles.$inferSelect;
