/**
 * SQL text over `sync_figures` (schema/sync-figures.ts): the figures of each completed
 * logical sync, as the history report reads them. Constant strings; every value arrives
 * as a bound parameter.
 */
import {
  DURATION_VALUE,
  LOGICAL_DURATION,
  LOGICAL_PHASES,
  phaseObject,
  TRUSTED_ROW,
  WINDOW as HISTORY_WINDOW,
  WINDOW_ROWS,
} from './sync-stats.sql';

/**
 * The completed, trusted runs `s` that `where` selects, each with its logical sync's
 * figures: the chain's durations summed (LOGICAL_DURATION) and its phase durations summed
 * per phase (LOGICAL_PHASES, a JSON object: read through `phasesOf`).
 */
const completedSyncs = (where: string) => `(
  SELECT s.id, s.project_id, s.start_time, s.files_indexed, s.bytes_processed,
    ${LOGICAL_DURATION} AS durationMs, ${LOGICAL_PHASES} AS phases
  FROM sync_history s
  WHERE s.status = 'completed' AND ${TRUSTED_ROW} AND ${where}) l`;

/**
 * Each of `l`'s phase durations that can be one, as json_each rows `j` (every other value
 * is left out, as the report always left it out), in the object's order: two walks give
 * the same phases in the same order.
 */
const phasesOf = (select: string) =>
  `(SELECT ${select} FROM json_each(${phaseObject('l.phases')}) j WHERE ${DURATION_VALUE('j')})`;

/** An integer as 8 big-endian bytes, in hex (-1 for NULL: a count that was not reported). */
const hex64 = (value: string) => `printf('%016x', IFNULL(${value}, -1))`;

/**
 * The table's row for each sync of `completedSyncs(where)` whose figures are all whole
 * numbers (printf would truncate a fraction; only a hand edit leaves one, and such a sync
 * is computed from sync_history instead). Migration 0006 fills the table with this
 * statement's text as it was then (test/db/sync-figures-upgrade.test.ts compares them).
 */
const recordedFigures = (where: string) => `
SELECT l.id, l.project_id, l.start_time, ${phasesOf('json_group_array(j.key)')},
  unhex(${hex64('l.durationMs')} || ${hex64('l.files_indexed')} || ${hex64('l.bytes_processed')}
    || ${phasesOf(`IFNULL(group_concat(${hex64('j.value')}, ''), '')`)})
FROM ${completedSyncs(where)}
WHERE typeof(l.durationMs) = 'integer' AND l.durationMs <= ${Number.MAX_SAFE_INTEGER} AND NOT EXISTS (
  SELECT 1 FROM json_each(${phaseObject('l.phases')}) j WHERE ${DURATION_VALUE('j')} AND j.type != 'integer')`;

const COLUMNS = `sync_id, project_id, start_time, phase_names, figures`;

/** Record (or record again) the figures of the sync @jobId, once it is completed. */
export const RECORD_FIGURES = `INSERT OR REPLACE INTO sync_figures (${COLUMNS}) ${recordedFigures('s.job_id = @jobId')}`;

const MISSING = 's.id NOT IN (SELECT sync_id FROM sync_figures)';

/** The figures of every completed sync that has none: what migration 0006 ran. */
export const RECORD_MISSING_FIGURES = `INSERT INTO sync_figures (${COLUMNS}) ${recordedFigures(MISSING)}`;

/** Of the syncs RECORD_MISSING_FIGURES would record, those with ids in (@after, @upTo]. */
const MISSING_IN = `s.id > @after AND s.id <= @upTo AND ${MISSING}`;

/**
 * RECORD_MISSING_FIGURES for the first @limit syncs with ids in (@after, @upTo], in id
 * order: a repair records a batch per transaction, each batch going on from the last.
 */
export const RECORD_MISSING_FIGURES_IN = `INSERT INTO sync_figures (${COLUMNS}) ${recordedFigures(MISSING_IN)}
ORDER BY l.id LIMIT @limit`;

/** How many syncs RECORD_MISSING_FIGURES would record. Reads only. */
export const MISSING_FIGURES = `SELECT COUNT(*) FROM (${recordedFigures(MISSING)})`;

/** Whether RECORD_MISSING_FIGURES_IN would record any: it stops at the first. Reads only. */
export const ANY_MISSING_FIGURES_IN = `SELECT EXISTS (${recordedFigures(MISSING_IN)})`;

/**
 * Up to @limit stored rows after sync id @after, as stored (the figures as a BLOB and
 * their length, as FIGURES_PASS reads them), each with whether `sync_history` holds its
 * sync completed and trusted, with the same project and start: the rows the report's
 * window counts would hold it to. For the repair's check (completed-syncs storedRowDamage).
 */
export const STORED_FIGURES_PAGE = `
SELECT f.sync_id AS syncId, f.start_time AS startTime, f.phase_names AS phaseNames,
  length(f.figures) AS length, CAST(f.figures AS BLOB) AS figures,
  EXISTS (SELECT 1 FROM sync_history s WHERE s.id = f.sync_id AND s.status = 'completed'
    AND s.project_id = f.project_id AND s.start_time = f.start_time AND ${TRUSTED_ROW}) AS ownSync
FROM sync_figures f WHERE f.sync_id > @after ORDER BY f.sync_id LIMIT @limit`;

/** Delete the stored figures of the syncs @syncIds (a JSON array of sync ids). */
export const DELETE_FIGURES_OF = `DELETE FROM sync_figures WHERE sync_id IN (SELECT value FROM json_each(@syncIds))`;

/** Leave out the figures of syncs about to be deleted (@jobIds, a JSON array). */
export const DELETE_FIGURES = `
DELETE FROM sync_figures WHERE sync_id IN (
  SELECT id FROM sync_history WHERE job_id IN (SELECT value FROM json_each(@jobIds)))`;

const WINDOW = `f.project_id = @projectId AND f.start_time >= @from AND f.start_time < @to
  AND (@excluded = '[]' OR f.sync_id NOT IN (SELECT value FROM json_each(@excluded)))`;

/**
 * The window's recorded figures as one row, in start_time order (the index's): the packed
 * figures of every sync joined into one BLOB (group_concat joins a BLOB's bytes as they
 * are; the CAST gives them back as a BLOB), with the byte length of each, so thousands of
 * syncs cross into JavaScript as a few values rather than a row object each. Phase names
 * are nearly always those of the project's newest sync (`commonNames`): a row with those
 * names says 0 instead of repeating them. The newest is found walking the table back by id
 * (NOT INDEXED): through the start_time index SQLite would sort every row of the project
 * to find it. `syncs` and `idSum` say which syncs these are: the caller uses them only when
 * they are the window's completed syncs, as `sync_history` counts them, and checks every
 * value.
 */
export const FIGURES_PASS = `
WITH common(names) AS (
  SELECT phase_names FROM sync_figures NOT INDEXED WHERE project_id = @projectId ORDER BY sync_id DESC LIMIT 1)
SELECT COUNT(*) AS syncs, COALESCE(SUM(f.sync_id), 0) AS idSum, (SELECT names FROM common) AS commonNames,
  '[' || group_concat(f.start_time) || ']' AS startTimes,
  '[' || group_concat(CASE WHEN f.phase_names = (SELECT names FROM common) THEN '0' ELSE f.phase_names END) || ']'
    AS phaseNames,
  '[' || group_concat(length(f.figures)) || ']' AS lengths,
  CAST(group_concat(f.figures, '') AS BLOB) AS figures
FROM sync_figures f INDEXED BY sync_figures_start_time_idx
WHERE ${WINDOW}`;

/**
 * What the same figures are computed from, read from `sync_history` for the window's
 * completed syncs in start_time order (raw rows: start, duration, files, bytes, phases):
 * what the report reads when the recorded ones are not exactly those. The phase durations
 * are the run's own JSON text, or its chain's summed per phase (LOGICAL_PHASES), parsed
 * by the caller: checking each value in SQL (json_each) costs several times more.
 */
export const COMPUTED_FIGURES = `
SELECT s.start_time, ${LOGICAL_DURATION}, s.files_indexed, s.bytes_processed, ${LOGICAL_PHASES}
FROM ${WINDOW_ROWS}
WHERE ${HISTORY_WINDOW} AND s.status = 'completed'
ORDER BY s.start_time, s.id`;
