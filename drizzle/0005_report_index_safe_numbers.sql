-- The damaged-row indexes of 0004 held to zod's limits for numbers (no data changes): an
-- integer past 2^53 - 1 or an infinite CPU percentage is damage, left out of the report
-- (SUM() of such counts failed with "integer overflow"). Conditions: src/schema/sync-history-trust.ts.
DROP INDEX `sync_history_damaged_figures_idx`;--> statement-breakpoint
DROP INDEX `sync_history_damaged_activity_idx`;--> statement-breakpoint
CREATE INDEX `sync_history_damaged_figures_idx` ON `sync_history` (`project_id`) WHERE NOT (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted', 'resumed') AND (typeof(start_time) = 'integer' AND start_time BETWEEN -9007199254740991 AND 9007199254740991)
  AND (end_time IS NULL OR (typeof(end_time) = 'integer' AND end_time BETWEEN -9007199254740991 AND 9007199254740991))
  AND (total_duration IS NULL OR (typeof(total_duration) = 'integer' AND total_duration BETWEEN 0 AND 9007199254740991)) AND (files_indexed IS NULL OR (typeof(files_indexed) = 'integer' AND files_indexed BETWEEN 0 AND 9007199254740991)) AND (bytes_processed IS NULL OR (typeof(bytes_processed) = 'integer' AND bytes_processed BETWEEN 0 AND 9007199254740991))
  AND (peak_memory_bytes IS NULL OR (typeof(peak_memory_bytes) = 'integer' AND peak_memory_bytes BETWEEN 0 AND 9007199254740991)) AND (mean_cpu_percent IS NULL OR (typeof(mean_cpu_percent) IN ('integer', 'real') AND mean_cpu_percent BETWEEN 0 AND 1.7976931348623157e+308))
  AND json_valid(phases) AND (phase_durations IS NULL OR json_valid(phase_durations)) AND (errors IS NULL OR json_valid(errors)));--> statement-breakpoint
CREATE INDEX `sync_history_damaged_activity_idx` ON `sync_history` (`project_id`) WHERE NOT (typeof(last_activity_at) = 'integer' AND last_activity_at BETWEEN -9007199254740991 AND 9007199254740991);