/**
 * SQL text over `sync_figures` (schema/sync-figures.ts): the figures of each completed
 * logical sync, as the history report reads them. Constant strings; every value arrives
 * as a bound parameter.
 */
import { DURATION_VALUE, LOGICAL_DURATION, LOGICAL_PHASES, phaseObject, TRUSTED_ROW } from './sync-stats.sql';

const COLUMNS = `sync_id, project_id, start_time, duration_ms, files_indexed, bytes_processed, phase_names, phase_ms`;

/**
 * A sync's figures computed from `sync_history`, for the completed, trusted runs `s` that
 * `where` selects: the chain's durations summed (LOGICAL_DURATION), its phase durations
 * summed per phase (LOGICAL_PHASES) with every value that cannot be a duration left out,
 * as the report always left them out, and the phases split into names and values (two
 * walks of the same object, in the same order). Migration 0006 fills the table with this
 * statement's text as it was then (test/db/sync-figures-upgrade.test.ts compares them).
 */
const figuresFromHistory = (where: string) => `
SELECT l.id, l.project_id, l.start_time, l.durationMs, l.files_indexed, l.bytes_processed,
  (SELECT json_group_array(j.key) FROM json_each(${phaseObject('l.phases')}) j WHERE ${DURATION_VALUE('j')}),
  (SELECT json_group_array(j.value) FROM json_each(${phaseObject('l.phases')}) j WHERE ${DURATION_VALUE('j')})
FROM (
  SELECT s.id, s.project_id, s.start_time, s.files_indexed, s.bytes_processed,
    ${LOGICAL_DURATION} AS durationMs, ${LOGICAL_PHASES} AS phases
  FROM sync_history s
  WHERE s.status = 'completed' AND ${TRUSTED_ROW} AND ${where}) l`;

/** Record (or record again) the figures of the sync @jobId, once it is completed. */
export const RECORD_FIGURES = `INSERT OR REPLACE INTO sync_figures (${COLUMNS}) ${figuresFromHistory('s.job_id = @jobId')}`;

/** The figures of every completed sync that has none: what migration 0006 ran. */
export const RECORD_MISSING_FIGURES = `INSERT INTO sync_figures (${COLUMNS}) ${figuresFromHistory(
  's.id NOT IN (SELECT sync_id FROM sync_figures)',
)}`;

/** Leave out the figures of syncs about to be deleted (@jobIds, a JSON array). */
export const DELETE_FIGURES = `
DELETE FROM sync_figures WHERE sync_id IN (
  SELECT id FROM sync_history WHERE job_id IN (SELECT value FROM json_each(@jobIds)))`;

const WINDOW = `f.project_id = @projectId AND f.start_time >= @from AND f.start_time < @to
  AND (@excluded = '[]' OR f.sync_id NOT IN (SELECT value FROM json_each(@excluded)))`;

/**
 * The window's stored figures as one row of JSON array texts, so that thousands of syncs
 * cross into JavaScript as a few strings rather than a row object each, in start_time
 * order (the index's). Phase names are nearly always those of the project's newest sync
 * (`commonNames`): a row with those names says 0 instead of repeating them. The newest is
 * found walking the table back by id (NOT INDEXED): through the start_time index SQLite
 * would sort every row of the project to find it. `syncs` and
 * `idSum` say which syncs these are: the caller uses them only when they are the window's
 * completed syncs, as `sync_history` counts them, and checks every value.
 */
export const FIGURES_PASS = `
WITH common(names) AS (
  SELECT phase_names FROM sync_figures NOT INDEXED WHERE project_id = @projectId ORDER BY sync_id DESC LIMIT 1)
SELECT COUNT(*) AS syncs, COALESCE(SUM(f.sync_id), 0) AS idSum, (SELECT names FROM common) AS commonNames,
  '[' || group_concat(f.start_time) || ']' AS startTimes,
  '[' || group_concat(f.duration_ms) || ']' AS durations,
  '[' || group_concat(COALESCE(f.files_indexed, 'null')) || ']' AS files,
  '[' || group_concat(COALESCE(f.bytes_processed, 'null')) || ']' AS bytes,
  '[' || group_concat(CASE WHEN f.phase_names = (SELECT names FROM common) THEN '0' ELSE f.phase_names END) || ']'
    AS phaseNames,
  '[' || group_concat(f.phase_ms) || ']' AS phaseMs
FROM sync_figures f INDEXED BY sync_figures_start_time_idx
WHERE ${WINDOW}`;

/**
 * The same figures computed from `sync_history` for the window's completed syncs, in
 * start_time order: what the report reads when the stored ones are not exactly those.
 */
export const COMPUTED_FIGURES = `${figuresFromHistory(
  `s.project_id = @projectId AND s.start_time >= @from AND s.start_time < @to
  AND (@excluded = '[]' OR s.id NOT IN (SELECT value FROM json_each(@excluded)))`,
)}
ORDER BY l.start_time, l.id`;
