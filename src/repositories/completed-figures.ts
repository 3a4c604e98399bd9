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

/** A row as read: the figures, then the id of a run that resumed others (else null). */
export type CompletedRow = [...CompletedFigures, chainHead: number | null];

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
    (row[5] === null || typeof row[5] === 'number')
  );
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
