-- Two indexes no query reads: progress_updates.timestamp (the trail is read by job_id and
-- ordered by id) and checkpoints.created_at (expiry selects by updated_at). The first cost
-- an index write on every progress row, the hottest insert of the store.
DROP INDEX `progress_updates_timestamp_idx`;--> statement-breakpoint
DROP INDEX `checkpoints_created_at_idx`;