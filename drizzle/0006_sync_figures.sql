-- The figures of each completed logical sync, as the history report reads them (see
-- src/schema/sync-figures.ts), filled here for the syncs the file already holds; an
-- index holding what the report's pass over a window reads of each run; and the index of
-- running rows without the last activity, which every progress write changes. The INSERT is
-- RECORD_MISSING_FIGURES of src/repositories/sync-figures.sql.ts as it was when this
-- migration was written, spelled out: a migration never changes once shipped, and
-- test/db/sync-figures-upgrade.test.ts holds the two to the same rows.
CREATE TABLE `sync_figures` (
	`sync_id` integer PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`start_time` integer NOT NULL,
	`phase_names` text NOT NULL,
	`figures` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sync_figures_start_time_idx` ON `sync_figures` (`project_id`,`start_time`);--> statement-breakpoint
DROP INDEX `sync_history_status_activity_idx`;--> statement-breakpoint
CREATE INDEX `sync_history_status_idx` ON `sync_history` (`status`);--> statement-breakpoint
CREATE INDEX `sync_history_completed_activity_idx` ON `sync_history` (`last_activity_at`) WHERE status = 'completed';--> statement-breakpoint
CREATE INDEX `sync_history_window_idx` ON `sync_history` (`project_id`,`start_time`,`status`,`resumed_from_job_id`,`peak_memory_bytes`,`mean_cpu_percent`);
--> statement-breakpoint
INSERT INTO sync_figures (sync_id, project_id, start_time, phase_names, figures)
SELECT l.id, l.project_id, l.start_time, (SELECT json_group_array(j.key) FROM json_each(CASE WHEN json_valid(l.phases) AND instr(l.phases, char(0)) = 0 THEN CASE WHEN json_type(l.phases) = 'object' THEN json_patch('{}', l.phases) END END) j WHERE j.type IN ('integer', 'real') AND j.value BETWEEN 0 AND 9007199254740991),
  unhex(printf('%016x', IFNULL(l.durationMs, -1)) || printf('%016x', IFNULL(l.files_indexed, -1)) || printf('%016x', IFNULL(l.bytes_processed, -1))
    || (SELECT IFNULL(group_concat(printf('%016x', IFNULL(j.value, -1)), ''), '') FROM json_each(CASE WHEN json_valid(l.phases) AND instr(l.phases, char(0)) = 0 THEN CASE WHEN json_type(l.phases) = 'object' THEN json_patch('{}', l.phases) END END) j WHERE j.type IN ('integer', 'real') AND j.value BETWEEN 0 AND 9007199254740991))
FROM (
  SELECT s.id, s.project_id, s.start_time, s.files_indexed, s.bytes_processed,
    (CASE WHEN s.resumed_from_job_id IS NULL THEN COALESCE(s.total_duration, MAX(0, COALESCE(s.end_time, s.last_activity_at) - s.start_time)) ELSE (WITH RECURSIVE chain(job_id, depth) AS (
    SELECT s.job_id, 0
    UNION ALL
    SELECT p.resumed_from_job_id, chain.depth + 1 FROM chain JOIN sync_history p ON p.job_id = chain.job_id
    WHERE p.resumed_from_job_id IS NOT NULL AND chain.depth < 1000)
  SELECT SUM(CASE WHEN COALESCE(p.total_duration, MAX(0, COALESCE(p.end_time, p.last_activity_at) - p.start_time)) BETWEEN 0 AND 9007199254740991 THEN COALESCE(p.total_duration, MAX(0, COALESCE(p.end_time, p.last_activity_at) - p.start_time)) END) FROM chain JOIN sync_history p ON p.job_id = chain.job_id) END) AS durationMs, (CASE WHEN s.resumed_from_job_id IS NULL THEN s.phase_durations ELSE (WITH RECURSIVE chain(job_id, depth) AS (
    SELECT s.job_id, 0
    UNION ALL
    SELECT p.resumed_from_job_id, chain.depth + 1 FROM chain JOIN sync_history p ON p.job_id = chain.job_id
    WHERE p.resumed_from_job_id IS NOT NULL AND chain.depth < 1000)
  SELECT json_group_object(phase, ms) FROM (
    SELECT j.key AS phase, SUM(j.value) AS ms
    FROM chain JOIN sync_history p ON p.job_id = chain.job_id,
      json_each(CASE WHEN json_valid(p.phase_durations) AND instr(p.phase_durations, char(0)) = 0 THEN CASE WHEN json_type(p.phase_durations) = 'object' THEN json_patch('{}', p.phase_durations) END END) j
    WHERE j.type IN ('integer', 'real') AND j.value BETWEEN 0 AND 9007199254740991 GROUP BY j.key)) END) AS phases
  FROM sync_history s
  WHERE s.status = 'completed' AND ((typeof(s.last_activity_at) = 'integer' AND s.last_activity_at BETWEEN -9007199254740991 AND 9007199254740991) AND (s.status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted', 'resumed') AND (typeof(s.start_time) = 'integer' AND s.start_time BETWEEN -9007199254740991 AND 9007199254740991)
  AND (s.end_time IS NULL OR (typeof(s.end_time) = 'integer' AND s.end_time BETWEEN -9007199254740991 AND 9007199254740991))
  AND (s.total_duration IS NULL OR (typeof(s.total_duration) = 'integer' AND s.total_duration BETWEEN 0 AND 9007199254740991)) AND (s.files_indexed IS NULL OR (typeof(s.files_indexed) = 'integer' AND s.files_indexed BETWEEN 0 AND 9007199254740991)) AND (s.bytes_processed IS NULL OR (typeof(s.bytes_processed) = 'integer' AND s.bytes_processed BETWEEN 0 AND 9007199254740991))
  AND (s.peak_memory_bytes IS NULL OR (typeof(s.peak_memory_bytes) = 'integer' AND s.peak_memory_bytes BETWEEN 0 AND 9007199254740991)) AND (s.mean_cpu_percent IS NULL OR (typeof(s.mean_cpu_percent) IN ('integer', 'real') AND s.mean_cpu_percent BETWEEN 0 AND 1.7976931348623157e+308))
  AND json_valid(s.phases) AND (s.phase_durations IS NULL OR json_valid(s.phase_durations)) AND (s.errors IS NULL OR json_valid(s.errors)))) AND s.id NOT IN (SELECT sync_id FROM sync_figures)) l
WHERE typeof(l.durationMs) = 'integer' AND l.durationMs <= 9007199254740991 AND NOT EXISTS (
  SELECT 1 FROM json_each(CASE WHEN json_valid(l.phases) AND instr(l.phases, char(0)) = 0 THEN CASE WHEN json_type(l.phases) = 'object' THEN json_patch('{}', l.phases) END END) j WHERE j.type IN ('integer', 'real') AND j.value BETWEEN 0 AND 9007199254740991 AND j.type != 'integer');
