-- Indexes for the history report (issue 14); no data changes. Runs that recorded errors,
-- for the failure points; and damaged rows, which every report leaves out, kept by SQLite
-- as rows are written instead of found by checking every row at each report. The damaged
-- rows' conditions are src/schema/sync-history-trust.ts, term for term.
CREATE INDEX `sync_history_errors_start_time_idx` ON `sync_history` (`start_time`) WHERE errors IS NOT NULL;--> statement-breakpoint
CREATE INDEX `sync_history_damaged_figures_idx` ON `sync_history` (`project_id`) WHERE NOT (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted', 'resumed') AND typeof(start_time) = 'integer'
  AND (end_time IS NULL OR typeof(end_time) = 'integer')
  AND (total_duration IS NULL OR (typeof(total_duration) = 'integer' AND total_duration >= 0)) AND (files_indexed IS NULL OR (typeof(files_indexed) = 'integer' AND files_indexed >= 0)) AND (bytes_processed IS NULL OR (typeof(bytes_processed) = 'integer' AND bytes_processed >= 0))
  AND (peak_memory_bytes IS NULL OR (typeof(peak_memory_bytes) = 'integer' AND peak_memory_bytes >= 0)) AND (mean_cpu_percent IS NULL OR (typeof(mean_cpu_percent) IN ('integer', 'real') AND mean_cpu_percent >= 0))
  AND json_valid(phases) AND (phase_durations IS NULL OR json_valid(phase_durations)) AND (errors IS NULL OR json_valid(errors)));--> statement-breakpoint
CREATE INDEX `sync_history_damaged_activity_idx` ON `sync_history` (`project_id`) WHERE NOT typeof(last_activity_at) = 'integer';