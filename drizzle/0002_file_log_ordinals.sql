-- The file log becomes one NUL-separated path list per lineage plus events holding
-- ordinals into it (see src/schema/checkpoint-files.ts). Release 0.1's rows (newline-joined
-- paths in every event) cannot be converted in SQL: they are moved aside here, and the
-- store converts and drops them at its next open (src/db/legacy-file-log.ts), inside the
-- transaction that migrates, so a file migrated by `drizzle-kit migrate` ends the same.
-- A rename rather than drizzle-kit's table rebuild: its INSERT ... SELECT would name
-- columns the old table does not have, and its PRAGMA foreign_keys=OFF does nothing here.
DROP INDEX `checkpoint_files_lineage_id_idx`;--> statement-breakpoint
ALTER TABLE `checkpoint_files` RENAME TO `checkpoint_files_v01`;--> statement-breakpoint
CREATE TABLE `checkpoint_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lineage_id` text NOT NULL,
	`job_id` text NOT NULL,
	`checkpoint_seq` integer NOT NULL,
	`kind` text NOT NULL,
	`first_ordinal` integer NOT NULL,
	`item_count` integer NOT NULL,
	`data` blob NOT NULL,
	`checksum` integer NOT NULL,
	CONSTRAINT "checkpoint_files_kind_check" CHECK(kind IN ('planned', 'completed', 'skipped', 'reopened', 'removed')),
	CONSTRAINT "checkpoint_files_count_check" CHECK("checkpoint_files"."item_count" > 0 AND "checkpoint_files"."first_ordinal" >= 0)
);
--> statement-breakpoint
CREATE INDEX `checkpoint_files_lineage_id_idx` ON `checkpoint_files` (`lineage_id`,`id`);
