CREATE TABLE `sync_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`project_id` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer,
	`last_activity_at` integer NOT NULL,
	`total_duration` integer,
	`phase_durations` text,
	`phases` text NOT NULL,
	`current_phase` text,
	`overall_progress` real DEFAULT 0 NOT NULL,
	`files_processed` integer DEFAULT 0 NOT NULL,
	`total_files` integer DEFAULT 0 NOT NULL,
	`files_changed` integer,
	`files_indexed` integer,
	`bytes_processed` integer,
	`errors` text,
	`git_commit` text,
	`owner_pid` integer,
	`owner_host` text,
	`owner_started_at` integer,
	`resumed_from_job_id` text,
	`resumed_by_job_id` text,
	`peak_memory_bytes` integer,
	`mean_cpu_percent` real,
	`metadata` text,
	CONSTRAINT "sync_history_status_check" CHECK(status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted', 'resumed')),
	CONSTRAINT "sync_history_progress_check" CHECK("sync_history"."overall_progress" BETWEEN 0 AND 100),
	CONSTRAINT "sync_history_counts_check" CHECK("sync_history"."files_processed" >= 0 AND "sync_history"."total_files" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sync_history_job_id_unique` ON `sync_history` (`job_id`);--> statement-breakpoint
CREATE INDEX `sync_history_project_id_idx` ON `sync_history` (`project_id`);--> statement-breakpoint
CREATE INDEX `sync_history_start_time_idx` ON `sync_history` (`start_time`);--> statement-breakpoint
CREATE INDEX `sync_history_status_activity_idx` ON `sync_history` (`status`,`last_activity_at`);--> statement-breakpoint
CREATE TABLE `progress_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`timestamp` integer NOT NULL,
	`elapsed_ms` integer NOT NULL,
	`phase` text NOT NULL,
	`overall_progress` real NOT NULL,
	`phase_progress` real NOT NULL,
	`files_processed` integer NOT NULL,
	`total_files` integer NOT NULL,
	`rate` real NOT NULL,
	`checkpoint_data` text,
	CONSTRAINT "progress_updates_progress_check" CHECK("progress_updates"."overall_progress" BETWEEN 0 AND 100 AND "progress_updates"."phase_progress" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE INDEX `progress_updates_job_id_idx` ON `progress_updates` (`job_id`);--> statement-breakpoint
CREATE INDEX `progress_updates_timestamp_idx` ON `progress_updates` (`timestamp`);--> statement-breakpoint
CREATE TABLE `checkpoints` (
	`job_id` text PRIMARY KEY NOT NULL,
	`lineage_id` text NOT NULL,
	`seq` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`git_commit` text,
	`phase` text NOT NULL,
	`phase_progress` real NOT NULL,
	`overall_progress` real NOT NULL,
	`phase_started_at` integer NOT NULL,
	`files_completed` integer NOT NULL,
	`files_pending` integer NOT NULL,
	`files_skipped` integer NOT NULL,
	`metadata` text NOT NULL,
	CONSTRAINT "checkpoints_counts_check" CHECK("checkpoints"."files_completed" >= 0 AND "checkpoints"."files_pending" >= 0 AND "checkpoints"."files_skipped" >= 0 AND "checkpoints"."seq" >= 0)
);
--> statement-breakpoint
CREATE INDEX `checkpoints_created_at_idx` ON `checkpoints` (`created_at`);--> statement-breakpoint
CREATE INDEX `checkpoints_updated_at_idx` ON `checkpoints` (`updated_at`);--> statement-breakpoint
CREATE INDEX `checkpoints_lineage_id_idx` ON `checkpoints` (`lineage_id`);--> statement-breakpoint
CREATE TABLE `checkpoint_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lineage_id` text NOT NULL,
	`job_id` text NOT NULL,
	`checkpoint_seq` integer NOT NULL,
	`kind` text NOT NULL,
	`path_count` integer NOT NULL,
	`paths` text NOT NULL,
	CONSTRAINT "checkpoint_files_kind_check" CHECK(kind IN ('planned', 'completed', 'skipped', 'reopened', 'removed')),
	CONSTRAINT "checkpoint_files_count_check" CHECK("checkpoint_files"."path_count" > 0)
);
--> statement-breakpoint
CREATE INDEX `checkpoint_files_lineage_id_idx` ON `checkpoint_files` (`lineage_id`,`id`);--> statement-breakpoint
CREATE TABLE `store_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
