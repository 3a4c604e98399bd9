/**
 * SQL text of the read-side statistics over `sync_history` (see SyncStatsRepository).
 * Constant strings: every value arrives as a bound parameter (@projectId, @from, @to…).
 *
 * A logical sync is represented by its last run: every run except those taken over by a
 * resume (status `resumed`). For a last run that resumed another (resumed_from_job_id
 * set, which is rare) the correlated subqueries below walk back through the chain; for
 * every other row they are skipped by the CASE.
 *
 * Windows are read through the start_time index, named with INDEXED BY: left to itself
 * SQLite prefers the project_id or status index, and a project has one file, so those
 * match nearly every row and a window becomes a scan with a lookup per row.
 */
import { ENDED_STATUSES, SYNC_STATUSES, sqlInList } from '../schema/sync-status';
import { STATUS_LETTERS } from './window-pass';
import { trustedActivity, trustedFigures } from '../schema/sync-history-trust';

export const WINDOW_ROWS = `sync_history s INDEXED BY sync_history_start_time_idx`;

/** The same rows through the index that holds all WINDOW_PASS reads of them (schema sync-history.ts). */
const WINDOW_RUNS = `sync_history s INDEXED BY sync_history_window_idx`;

/**
 * The rules of validation/row-schemas that the report's figures depend on, in SQL: a
 * damaged row (a status outside the closed set, a time that is not an integer, a
 * negative count, JSON that does not parse) is left out of every figure. Checking each
 * row with zod instead would cost more than the report itself at 10k syncs. DAMAGED_ROWS
 * finds them once per report (and zod describes them for the warning); every window
 * then leaves out their ids (@excluded, a JSON array). Inside JSON that parses, a value
 * of the wrong shape is skipped value by value where it is read.
 * test/services/metrics/damaged-rows.test.ts holds the two to the same verdicts.
 */
export const TRUSTED_ROW = `(${trustedActivity('s.')} AND ${trustedFigures('s.')})`;

/** The NOT IN is skipped when nothing is excluded (the usual case): it costs a lookup per row. */
export const WINDOW = `s.project_id = @projectId AND s.start_time >= @from AND s.start_time < @to
  AND (@excluded = '[]' OR s.id NOT IN (SELECT value FROM json_each(@excluded)))`;

/**
 * The project's rows every figure leaves out as damaged, whole (zod describes them), in id
 * order. Read through the two partial indexes that hold exactly these rows (schema
 * sync-history.ts), so no row that is well is read.
 */
export const DAMAGED_ROWS = `
SELECT s.* FROM sync_history s INDEXED BY sync_history_damaged_figures_idx
WHERE s.project_id = @projectId AND NOT ${trustedFigures('s.')}
UNION ALL
SELECT s.* FROM sync_history s INDEXED BY sync_history_damaged_activity_idx
WHERE s.project_id = @projectId AND NOT ${trustedActivity('s.')} AND ${trustedFigures('s.')}
ORDER BY id`;

/** Monotonic duration of one run; a run that died unfinished counts until its last sign of life. */
const runDuration = (t: string) =>
  `COALESCE(${t}.total_duration, MAX(0, COALESCE(${t}.end_time, ${t}.last_activity_at) - ${t}.start_time))`;

/**
 * A run's duration as a chain sums it: one that cannot be a duration (an earlier run of the
 * chain is not checked as the chain's last is, and a hand edit can leave 2^62 there) is left
 * out, as an out-of-range phase duration is; two such would make SUM() fail with "integer
 * overflow" (the report, a sync's completion, migration 0006).
 */
const chainRunDuration = (t: string) =>
  `CASE WHEN ${runDuration(t)} BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER} THEN ${runDuration(t)} END`;

/** Job ids of the chain ending at run `s`: itself (depth 0) and the runs it resumed. */
const CHAIN = `WITH RECURSIVE chain(job_id, depth) AS (
    SELECT s.job_id, 0
    UNION ALL
    SELECT p.resumed_from_job_id, chain.depth + 1 FROM chain JOIN sync_history p ON p.job_id = chain.job_id
    WHERE p.resumed_from_job_id IS NOT NULL AND chain.depth < 1000)`;

/** Sum of the durations of every run of the chain ending at `s`. */
export const LOGICAL_DURATION = `(CASE WHEN s.resumed_from_job_id IS NULL THEN ${runDuration('s')} ELSE (${CHAIN}
  SELECT SUM(${chainRunDuration('p')}) FROM chain JOIN sync_history p ON p.job_id = chain.job_id) END)`;

/** Start of the first run of the chain ending at `s`. */
const LOGICAL_START = `(CASE WHEN s.resumed_from_job_id IS NULL THEN s.start_time ELSE (${CHAIN}
  SELECT MIN(p.start_time) FROM chain JOIN sync_history p ON p.job_id = chain.job_id) END)`;

/**
 * Phase durations as json_each should read them: a JSON object, else nothing. An array
 * (damage) would otherwise read as phases "0", "1"…. Nested CASE: json_type fails on text
 * that is not JSON. Text with a NUL is none either: SQLite's JSON reads it up to the NUL
 * and calls it valid, JavaScript's JSON.parse (the report's other path) refuses it. A key written twice is read once, with its last value, as JSON.parse
 * (the row check) reads it: json_patch onto an empty object keeps the last value of each
 * key (it differs from JSON.parse only for values that are not numbers, which no figure
 * reads).
 */
export const phaseObject = (column: string) =>
  `CASE WHEN json_valid(${column}) AND instr(${column}, char(0)) = 0 THEN CASE WHEN json_type(${column}) = 'object' THEN json_patch('{}', ${column}) END END`;

/**
 * A phase duration json_each read (`j`) that can be one: a number from 0 to 2^53 - 1
 * (validation/json-columns; a fraction is read as it always was). A hand-edited 1e308 or
 * a negative value is skipped where it is read, as phase-figures.ts skips it.
 */
export const DURATION_VALUE = (j: string) =>
  `${j}.type IN ('integer', 'real') AND ${j}.value BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER}`;

/** Phase durations (JSON text) of the chain ending at `s`, summed per phase. */
export const LOGICAL_PHASES = `(CASE WHEN s.resumed_from_job_id IS NULL THEN s.phase_durations ELSE (${CHAIN}
  SELECT json_group_object(phase, ms) FROM (
    SELECT j.key AS phase, SUM(j.value) AS ms
    FROM chain JOIN sync_history p ON p.job_id = chain.job_id,
      json_each(${phaseObject('p.phase_durations')}) j
    WHERE ${DURATION_VALUE('j')} GROUP BY j.key)) END)`;

const ENDED = `s.status IN (${sqlInList(ENDED_STATUSES)})`;

/** A `running` row whose owner is gone (@gone, a JSON array of ids the caller judged with services/liveness). */
const GONE = `(s.status = 'running' AND s.id IN (SELECT value FROM json_each(@gone)))`;

/**
 * Everything the report reads from each row of the window, in one pass. Each pass over 10k
 * rows costs about what the raw aggregate does, and so does each few aggregates computed
 * per row, so there are few and none is filtered per status:
 * - `statuses`: one letter per run (window-pass.ts STATUS_LETTERS), counted by the caller;
 * - the resource figures of every run; a running run has none until it ends, so these are
 *   those of the runs that ended (the caller checks it; see LIVE_RUNS_WITH_RESOURCES);
 * - the 15-minute UTC bucket (start_time / 900000) of every first run (the start of a
 *   logical sync, for peak usage), as comma-separated integers;
 * - the sum of the completed runs' ids, which with their count says whether `sync_figures`
 *   holds exactly these syncs (see sync-figures.sql.ts).
 */
export const WINDOW_PASS = `
SELECT group_concat(CASE s.status ${SYNC_STATUSES.map((status) => `WHEN '${status}' THEN '${STATUS_LETTERS[status]}'`).join(' ')} END, '') AS statuses,
  COUNT(s.peak_memory_bytes) AS memoryRuns, SUM(s.peak_memory_bytes) AS memorySum, MAX(s.peak_memory_bytes) AS memoryPeak,
  COUNT(s.mean_cpu_percent) AS cpuRuns, SUM(s.mean_cpu_percent) AS cpuSum,
  group_concat(s.start_time / 900000) FILTER (WHERE s.resumed_from_job_id IS NULL) AS firstStartBuckets,
  COALESCE(SUM(s.id) FILTER (WHERE s.status = 'completed'), 0) AS completedIdSum
FROM ${WINDOW_RUNS}
WHERE ${WINDOW}`;

/** How many running rows whose owner is alive (not in @gone) have resource figures: normally none. */
export const LIVE_RUNS_WITH_RESOURCES = `
SELECT COUNT(*) FROM sync_history s INDEXED BY sync_history_status_idx
WHERE s.status = 'running' AND ${WINDOW} AND s.id NOT IN (SELECT value FROM json_each(@gone))
  AND (s.peak_memory_bytes IS NOT NULL OR s.mean_cpu_percent IS NOT NULL)`;

/** The resource figures of the runs of the window that ended (WINDOW_PASS' when a live run has some). */
export const ENDED_RESOURCES = `
SELECT COUNT(s.peak_memory_bytes) AS memoryRuns, SUM(s.peak_memory_bytes) AS memorySum,
  MAX(s.peak_memory_bytes) AS memoryPeak, COUNT(s.mean_cpu_percent) AS cpuRuns, SUM(s.mean_cpu_percent) AS cpuSum
FROM ${WINDOW_RUNS}
WHERE ${WINDOW} AND (s.status != 'running' OR ${GONE})`;

/**
 * The window's `running` rows, with what liveness is judged from (see WINDOW_PASS' @gone).
 * Found through the status index: running rows are a handful, a window is thousands.
 */
export const RUNNING_SYNCS = `
SELECT s.id AS id, s.job_id AS jobId, s.owner_pid AS ownerPid, s.owner_host AS ownerHost,
  s.owner_boot_id AS ownerBootId, s.last_activity_at AS lastActivityAt, s.last_activity_mono AS lastActivityMono
FROM sync_history s INDEXED BY sync_history_status_idx
WHERE s.status = 'running' AND ${WINDOW}`;

/**
 * Mean duration per phase over completed logical syncs (runs of a chain summed first),
 * with the files indexed by those syncs and the phase's time in the ones that said.
 */
export const PHASE_MEANS = `
SELECT j.key AS phase, AVG(j.value) AS meanMs, COUNT(*) AS syncs,
  SUM(l.files) AS files, SUM(CASE WHEN l.files IS NOT NULL THEN j.value END) AS filesMs
FROM (
  SELECT ${LOGICAL_PHASES} AS phases, s.files_indexed AS files
  FROM ${WINDOW_ROWS} WHERE ${WINDOW} AND s.status = 'completed') l,
  json_each(${phaseObject('l.phases')}) j
WHERE ${DURATION_VALUE('j')}
GROUP BY j.key`;

/**
 * The newest ended logical syncs, slower than @minDuration (-1: all) and of the given
 * status (NULL: any), read backwards along the start_time index so it stops early. The
 * chain's first start is looked up for the returned rows only. A `running` row whose
 * owner is gone (@gone, as in WINDOW_PASS) has ended too: it is listed as interrupted,
 * ended at its last sign of life, as a resume would record it.
 */
export const ENDED_SYNCS = `
SELECT s.job_id AS jobId, ${LOGICAL_START} AS startedAt, s.end_time AS endedAt, s.status AS status,
  s.durationMs, s.files_indexed AS filesIndexed, s.errors AS errors
FROM (
  SELECT s.id, s.job_id, s.start_time, s.resumed_from_job_id,
    CASE WHEN s.status = 'running' THEN s.last_activity_at ELSE s.end_time END AS end_time,
    CASE WHEN s.status = 'running' THEN 'interrupted' ELSE s.status END AS status,
    s.files_indexed, s.errors, ${LOGICAL_DURATION} AS durationMs
  FROM ${WINDOW_ROWS}
  WHERE ${WINDOW} AND (${ENDED} OR (s.status = 'running' AND s.id IN (SELECT value FROM json_each(@gone))))
    AND (@status IS NULL OR s.status = @status) AND durationMs > @minDuration
  ORDER BY s.start_time DESC, s.id DESC LIMIT @limit) s
ORDER BY s.start_time DESC, s.id DESC`;

/** Sums for a least-squares line of completed durations against days before @to. */
export const DURATION_REGRESSION = `
SELECT COUNT(*) AS n, COALESCE(SUM(x), 0) AS sumX, COALESCE(SUM(y), 0) AS sumY,
  COALESCE(SUM(x * y), 0) AS sumXY, COALESCE(SUM(x * x), 0) AS sumXX
FROM (
  SELECT (s.start_time - @to) / 86400000.0 AS x, ${LOGICAL_DURATION} AS y
  FROM ${WINDOW_ROWS} WHERE ${WINDOW} AND s.status = 'completed')`;

/**
 * An error entry (JSON object `v`) with the types of validation/json-columns'
 * syncErrorRecordSchema for what a failure point shows: a code and a message that are
 * text, a phase that is text or null, a time that is a whole number of ms (JSON.parse reads
 * 1.0e3 as the integer 1000, so zod takes it). An entry of
 * another shape (a hand edit) is skipped where it is read, as a phase duration of the
 * wrong type is: the report holds only what its schema (report-schema.ts) allows.
 */
const ERROR_ENTRY = (v: string) =>
  `json_type(${v}, '$.code') = 'text' AND json_type(${v}, '$.message') = 'text'
  AND json_type(${v}, '$.phase') IN ('text', 'null') AND json_type(${v}, '$.at') IN ('integer', 'real')
  AND ${v} ->> 'at' BETWEEN 0 AND ${Number.MAX_SAFE_INTEGER} AND ${v} ->> 'at' = CAST(${v} ->> 'at' AS INTEGER)`;

/**
 * Errors of the runs that started in the window (a failure later resumed still marks a
 * place where syncs fail), grouped by phase and code, most frequent first. Cancellations
 * are a choice, not a failure point. The message is that of the latest occurrence. Read
 * through the index of the runs that have errors (a few in a hundred).
 *
 * jsonb_each hands each entry over as binary JSON, which the dozen lookups below read as
 * it is; json_each's text would be parsed again (or found in SQLite's parse cache by
 * comparing it) at each one: 40% of this statement. Cancellations are skipped before the
 * entry is checked, a quarter of the entries in the benchmark's history.
 */
export const FAILURE_POINTS = `
SELECT j.value ->> 'phase' AS phase, j.value ->> 'code' AS code, COUNT(*) AS count,
  MAX(j.value ->> 'at') AS lastSeen, j.value ->> 'message' AS message
FROM sync_history s INDEXED BY sync_history_errors_start_time_idx,
  jsonb_each(CASE WHEN json_valid(s.errors) THEN s.errors END) j
WHERE ${WINDOW} AND s.errors IS NOT NULL
  AND j.type = 'object' AND j.value ->> 'code' != 'CANCELLED' AND ${ERROR_ENTRY('j.value')}
GROUP BY phase, code
ORDER BY count DESC, lastSeen DESC`;

/** The phase list of the project's newest sync (JSON text). */
export const NEWEST_PHASES = `
SELECT phases FROM sync_history WHERE project_id = @projectId ORDER BY id DESC LIMIT 1`;

/**
 * A cheap fingerprint of the finished history: changes whenever a sync completes. Read from
 * the end of the partial index of completed rows; left to itself SQLite takes the status
 * index and reads every completed row.
 */
export const LAST_COMPLETED = `
SELECT MAX(last_activity_at) AS at FROM sync_history INDEXED BY sync_history_completed_activity_idx
WHERE status = 'completed'`;
