ALTER TABLE `sync_history` ADD `last_activity_mono` integer;--> statement-breakpoint
ALTER TABLE `sync_history` ADD `owner_boot_id` text;