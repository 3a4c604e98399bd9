/**
 * The completed logical syncs of a window, column by column (thousands are read per
 * report: arrays of numbers cost far less than an object per sync), in start_time order.
 */
export interface CompletedSyncs {
  startTime: number[];
  durationMs: number[];
  files: (number | null)[];
  bytes: (number | null)[];
  /** Each sync's phase names (syncs with the same names share one array)… */
  phaseNames: (readonly string[])[];
  /** …and the durations of those phases, in the same order. */
  phaseMs: (readonly number[])[];
}

/** A FIGURES_PASS row (sync-figures.sql.ts) as SQLite returns it. */
export interface FiguresPassRow {
  syncs: number;
  idSum: number;
  commonNames: string | null;
  startTimes: string | null;
  durations: string | null;
  files: string | null;
  bytes: string | null;
  phaseNames: string | null;
  phaseMs: string | null;
}

export const NO_SYNCS: CompletedSyncs = Object.freeze({
  startTime: [],
  durationMs: [],
  files: [],
  bytes: [],
  phaseNames: [],
  phaseMs: [],
});

/**
 * The syncs of a FIGURES_PASS row, every value checked as the table's writer leaves it;
 * null when anything is not (a hand edit, a damaged page): the caller then computes them
 * from `sync_history`, which stays the record.
 */
export function unpackFiguresPass(row: FiguresPassRow): CompletedSyncs | null {
  if (row.syncs === 0) return NO_SYNCS;
  const n = row.syncs;
  const startTime = parsedArray(row.startTimes, n);
  const durationMs = parsedArray(row.durations, n);
  const files = parsedArray(row.files, n);
  const bytes = parsedArray(row.bytes, n);
  const names = parsedArray(row.phaseNames, n);
  const phaseMs = parsedArray(row.phaseMs, n);
  const common = parsedNames(row.commonNames);
  if (!startTime || !durationMs || !files || !bytes || !names || !phaseMs) return null;
  const phaseNames: (readonly string[])[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const entry: unknown = names[i];
    const own = entry === 0 ? common : isNameList(entry) ? entry : null;
    if (
      own === null ||
      !Number.isSafeInteger(startTime[i]) ||
      !isCount(durationMs[i]) ||
      !(files[i] === null || isCount(files[i])) ||
      !(bytes[i] === null || isCount(bytes[i])) ||
      !isDurationList(phaseMs[i], own.length)
    )
      return null;
    phaseNames[i] = own;
  }
  return {
    startTime: startTime as number[],
    durationMs: durationMs as number[],
    files: files as (number | null)[],
    bytes: bytes as (number | null)[],
    phaseNames,
    phaseMs: phaseMs as number[][],
  };
}

/**
 * COMPUTED_FIGURES' rows (raw: id, project, start, duration, files, bytes, names, values),
 * computed by SQLite from trusted rows; the figures are checked again where they are used.
 */
export function computedSyncs(rows: readonly unknown[][]): CompletedSyncs {
  const syncs: CompletedSyncs = {
    startTime: [],
    durationMs: [],
    files: [],
    bytes: [],
    phaseNames: [],
    phaseMs: [],
  };
  for (const row of rows) {
    syncs.startTime.push(row[2] as number);
    syncs.durationMs.push(row[3] as number);
    syncs.files.push(row[4] as number | null);
    syncs.bytes.push(row[5] as number | null);
    syncs.phaseNames.push(JSON.parse(row[6] as string) as string[]);
    syncs.phaseMs.push(JSON.parse(row[7] as string) as number[]);
  }
  return syncs;
}

/** `text` parsed when it is a JSON array of `length` entries, else null. */
function parsedArray(text: string | null, length: number): unknown[] | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return Array.isArray(value) && value.length === length ? value : null;
}

function parsedNames(text: string | null): readonly string[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isNameList(value) ? value : null;
  } catch {
    return null;
  }
}

/** Distinct strings: the keys of one JSON object, as the writer splits them. */
function isNameList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.every((name) => typeof name === 'string') &&
    new Set(value).size === value.length
  );
}

/** `length` durations: numbers from 0 to 2^53 - 1, as the writer keeps them (DURATION_VALUE). */
function isDurationList(value: unknown, length: number): boolean {
  if (!Array.isArray(value) || value.length !== length) return false;
  for (const ms of value)
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= Number.MAX_SAFE_INTEGER)) return false;
  return true;
}

function isCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
