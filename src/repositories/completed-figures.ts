import type { ResumedRun } from './chain-sums';

/**
 * One completed logical sync: what percentiles and per-phase figures come from. A tuple:
 * thousands of them are read per report. `phases` is the stored phase durations, parsed
 * from JSON but not checked: the caller skips what is not an object of numbers.
 */
export type CompletedFigures = [
  durationMs: number,
  files: number | null,
  bytes: number | null,
  phases: unknown,
  startTime: number,
];

/**
 * A row as read: the figures, then, for a run that resumed others, its id (read row by
 * row) or [id, the job it resumed, its phase entries] (from the window pass); else null.
 */
export type CompletedRow = [...CompletedFigures, chainHead: number | PackedChainHead | null];
export type PackedChainHead = [id: number, resumedFrom: string, entries: number];

/**
 * The rows of PACKED_COMPLETED_FIGURES (sync-stats.sql.ts), or null when the two texts
 * do not parse or do not agree row for row: the caller then reads the rows one by one.
 * The figures come from integer columns and are checked anyway (damage is never trusted);
 * the phase values are checked where they are summed.
 */
export function unpackCompletedFigures(figures: string, phases: string | null): CompletedRow[] | null {
  let rows: unknown;
  let phaseValues: unknown;
  try {
    rows = JSON.parse(figures);
    phaseValues = phases === null ? [] : JSON.parse(phases);
  } catch {
    return null;
  }
  if (!Array.isArray(rows) || !Array.isArray(phaseValues) || rows.length !== phaseValues.length) return null;
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!isPackedRow(row)) return null;
    row[3] = phaseValues[i];
  }
  return rows as CompletedRow[];
}

function isPackedRow(row: unknown): row is unknown[] {
  return (
    Array.isArray(row) &&
    row.length === 6 &&
    typeof row[0] === 'number' &&
    isCountOrNull(row[1]) &&
    isCountOrNull(row[2]) &&
    row[3] === null &&
    typeof row[4] === 'number' &&
    (row[5] === null || isPackedChainHead(row[5]))
  );
}

function isPackedChainHead(head: unknown): head is PackedChainHead {
  return (
    Array.isArray(head) &&
    head.length === 3 &&
    typeof head[0] === 'number' &&
    typeof head[1] === 'string' &&
    typeof head[2] === 'number'
  );
}

/**
 * The window's `resumed` runs by job id, from WINDOW_PASS' `resumedRuns` and
 * `resumedPhases`, or null when they do not parse or agree (every chain is then read by
 * CHAIN_RUNS).
 */
export function unpackResumedRuns(runs: string, phases: string | null): Map<string, ResumedRun> | null {
  let rows: unknown;
  let phaseValues: unknown;
  try {
    rows = JSON.parse(runs);
    phaseValues = phases === null ? [] : JSON.parse(phases);
  } catch {
    return null;
  }
  if (!Array.isArray(rows) || !Array.isArray(phaseValues) || rows.length !== phaseValues.length) return null;
  const byJob = new Map<string, ResumedRun>();
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (
      !Array.isArray(row) ||
      row.length !== 4 ||
      typeof row[0] !== 'string' ||
      !(row[1] === null || typeof row[1] === 'string') ||
      !(row[2] === null || typeof row[2] === 'number') ||
      typeof row[3] !== 'number'
    )
      return null;
    byJob.set(row[0], { resumedFrom: row[1], durationMs: row[2], phases: phaseValues[i], entries: row[3] });
  }
  return byJob;
}

/** A run's phase durations as CHAIN_RUNS gives them: the object, else null (not an object). */
export function phaseObjectOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
}

function isCountOrNull(value: unknown): boolean {
  return value === null || typeof value === 'number';
}

/** A stored JSON text parsed, or null when it does not parse (it is then skipped as damage). */
export function parsedOrNull(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
