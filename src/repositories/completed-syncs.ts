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
  phaseNames: string | null;
  lengths: string | null;
  figures: Buffer | null;
}

/** No syncs, in columns to fill. */
function emptySyncs(): CompletedSyncs {
  return { startTime: [], durationMs: [], files: [], bytes: [], phaseNames: [], phaseMs: [] };
}

export const NO_SYNCS: CompletedSyncs = Object.freeze(emptySyncs());

/** Bytes of one packed figure (schema/sync-figures.ts). */
const FIGURE_BYTES = 8;
/** Packed before the phase durations: duration, files, bytes. */
const LEADING_FIGURES = 3;

/**
 * The syncs of a FIGURES_PASS row, every value checked as the table's writer leaves it;
 * null when anything is not (a hand edit, a damaged page): the caller then computes them
 * from `sync_history`, which stays the record.
 */
export function unpackFiguresPass(row: FiguresPassRow): CompletedSyncs | null {
  if (row.syncs === 0) return NO_SYNCS;
  const n = row.syncs;
  const startTime = parsedArray(row.startTimes, n);
  const names = parsedArray(row.phaseNames, n);
  const lengths = parsedArray(row.lengths, n);
  const common = parsedNames(row.commonNames);
  if (!startTime || !names || !lengths || !Buffer.isBuffer(row.figures)) return null;
  const packed = new PackedFigures(row.figures);
  // Sized up front, every slot then filled: an unsized array ends the same, only grown as it goes.
  // Stryker disable ArrayDeclaration
  const syncs: CompletedSyncs = {
    startTime: startTime as number[],
    durationMs: new Array<number>(n),
    files: new Array<number | null>(n),
    bytes: new Array<number | null>(n),
    phaseNames: new Array<readonly string[]>(n),
    phaseMs: new Array<number[]>(n),
  };
  // Stryker restore ArrayDeclaration
  for (let i = 0; i < n; i++) {
    const entry: unknown = names[i];
    const own = entry === 0 ? common : entry;
    if (unpackSync(syncs, i, startTime[i], own, lengths[i], packed, common) !== null) return null;
  }
  return packed.done() ? syncs : null;
}

/** A `sync_figures` row as stored (SyncFiguresRepository.storedPage), for the repair's check. */
export interface StoredFiguresRow {
  syncId: number;
  startTime: unknown;
  /** The stored text, unparsed. */
  phaseNames: unknown;
  /** `length(figures)`, as FIGURES_PASS reads it beside the bytes. */
  length: unknown;
  /** The stored value as a BLOB, as FIGURES_PASS joins it (null only in a damaged file). */
  figures: Buffer | null;
  /** 1 when `sync_history` holds the row's sync completed and trusted, with the same project and start. */
  ownSync: number;
}

/**
 * What is wrong with one stored row, or null when the report could read it (and it is its
 * sync's own): the same check as the report's reader (unpackSync), for doctor and the repair.
 */
export function storedRowDamage(row: StoredFiguresRow): string | null {
  let names: unknown = null;
  try {
    names = typeof row.phaseNames === 'string' ? JSON.parse(row.phaseNames) : null;
  } catch {
    // Not JSON: not a name list either, which unpackSync says.
  }
  if (!Buffer.isBuffer(row.figures)) return FIGURES_NOT_NAMES;
  const packed = new PackedFigures(row.figures);
  const damage = unpackSync(emptySyncs(), 0, row.startTime, names, row.length, packed);
  if (damage !== null) return damage;
  if (!packed.done()) return FIGURES_NOT_NAMES;
  return row.ownSync === 1 ? null : 'not the figures of a completed sync as sync_history holds it';
}

const FIGURES_NOT_NAMES = 'figures not as many as its phase names';

/**
 * The one check of a stored sync's figures, as the table's writer leaves them: its start,
 * its phase names (a list of distinct names), the byte length of its packed figures, then
 * each figure read from `packed` in range. Fills slot `i` of `syncs` and returns null when
 * all check; else returns what is wrong (never the value: doctor prints it).
 */
export function unpackSync(
  syncs: CompletedSyncs,
  i: number,
  startTime: unknown,
  names: unknown,
  length: unknown,
  packed: PackedFigures,
  /** A name list the caller has checked already (the window's common one): checked once, not per sync. */
  checked: readonly string[] | null = null,
): string | null {
  if (!Number.isSafeInteger(startTime)) return 'a start time that is not a whole number';
  const own = names !== null && names === checked ? checked : isNameList(names) ? names : null;
  if (own === null) return 'phase names that are not a JSON array of distinct names';
  // Each sync's bytes hold exactly its figures: one too many or too few would shift every later sync's.
  if (length !== FIGURE_BYTES * (LEADING_FIGURES + own.length)) return FIGURES_NOT_NAMES;
  const durationMs = packed.next();
  const files = packed.next();
  const bytes = packed.next();
  // Stryker disable next-line ArrayDeclaration: sized up front, every slot then filled
  const phaseMs = new Array<number>(own.length);
  for (let k = 0; k < own.length; k++) phaseMs[k] = packed.next();
  if (!isCount(durationMs) || !isCountOrUnset(files) || !isCountOrUnset(bytes) || !phaseMs.every(isCount))
    return 'a figure out of range';
  syncs.startTime[i] = startTime as number;
  syncs.durationMs[i] = durationMs;
  syncs.files[i] = files === -1 ? null : files;
  syncs.bytes[i] = bytes === -1 ? null : bytes;
  syncs.phaseNames[i] = own;
  syncs.phaseMs[i] = phaseMs;
  return null;
}

/** Reads packed figures in order: 8-byte big-endian signed integers (NaN past the end). */
export class PackedFigures {
  private readonly view: DataView;
  private offset = 0;

  constructor(bytes: Buffer) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  next(): number {
    if (this.offset + FIGURE_BYTES > this.view.byteLength) return Number.NaN;
    const high = this.view.getInt32(this.offset, false);
    const low = this.view.getUint32(this.offset + 4, false);
    this.offset += FIGURE_BYTES;
    // Exact for every integer JavaScript holds exactly; isCount refuses the rest.
    return high * 2 ** 32 + low;
  }

  /** Every byte was read. */
  done(): boolean {
    return this.offset === this.view.byteLength;
  }
}

/**
 * COMPUTED_FIGURES' raw rows (start, duration, files, bytes, phase durations as JSON text),
 * from trusted rows. Phase durations that are not a JSON object are none; a value that
 * cannot be a duration (validation/json-columns) is left out, as SQL leaves it out where
 * it sums a chain (sync-stats.sql.ts DURATION_VALUE); a key written twice counts once,
 * with its last value, as json_patch keeps it there.
 */
export function computedSyncs(rows: readonly unknown[][]): CompletedSyncs {
  const syncs = emptySyncs();
  for (const row of rows) {
    syncs.startTime.push(row[0] as number);
    syncs.durationMs.push(row[1] as number);
    syncs.files.push(row[2] as number | null);
    syncs.bytes.push(row[3] as number | null);
    const names: string[] = [];
    const values: number[] = [];
    const phases = parsedObject(row[4]);
    for (const name in phases) {
      const ms = phases[name];
      if (typeof ms === 'number' && ms >= 0 && ms <= Number.MAX_SAFE_INTEGER) {
        names.push(name);
        values.push(ms);
      }
    }
    syncs.phaseNames.push(names);
    syncs.phaseMs.push(values);
  }
  return syncs;
}

/** Stored JSON text parsed when it is an object, else null (damage, skipped). */
function parsedObject(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: only the array check tells (for...in finds no phase in a string's characters, a number or null); the others say what is meant
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** `text` parsed when it is a JSON array of `length` entries, else null. */
function parsedArray(text: string | null, length: number): unknown[] | null {
  if (text === null) return null;
  let value: unknown = null;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: left null, which the array check refuses.
  }
  // Stryker disable next-line ConditionalExpression: a string of that length would pass, and then fail every check of its entries
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

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** A count, or -1: not reported. */
function isCountOrUnset(value: number): boolean {
  return value === -1 || isCount(value);
}
