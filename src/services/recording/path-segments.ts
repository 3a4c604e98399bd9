/**
 * The ledger's path list, in runs: either the strings as the caller gave them, or one
 * stored row kept unread until it is needed. A row is first checked on its bytes (as
 * read, before any string is made), then decoded when one of its paths is first asked
 * for, so a resume reads and decodes only the rows that hold pending files, and slices
 * out only the paths it hands back instead of splitting the whole list.
 */
import { checkPathBytes, decodePathText } from '../../repositories/file-log-codec';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import { splitPathList } from '../../validation/path-list';

export interface Segment {
  first: number;
  count: number;
  /** The caller's own strings (a list planned in this process). */
  paths: readonly string[] | null;
  /** A stored row not read yet. */
  read: (() => Buffer) | null;
  /** A stored row read and checked, not decoded yet. */
  bytes: Buffer | null;
  /** A stored row decoded. */
  text: string | null;
  /** Where each path starts: in `bytes` until the row is decoded, then in `text`. */
  starts: Int32Array | null;
}

/** A run of the caller's own `paths`, or of a stored row to `read` when needed. */
export function newSegment(
  first: number,
  count: number,
  paths: readonly string[] | null,
  read: (() => Buffer) | null,
): Segment {
  return { first, count, paths, read, bytes: null, text: null, starts: null };
}

/** The i-th path of a segment, its row read and decoded first if it was not yet. */
export function pathOf(segment: Segment, i: number): string {
  if (segment.paths) return segment.paths[i]!;
  if (segment.text === null) decodeSegment(segment);
  return segment.text!.slice(segment.starts![i], segment.starts![i + 1]! - 1);
}

/**
 * The paths whose state byte (by ordinal, in `states`) is `code`, in plan order; `expected`
 * says how many there are. With `ordinals` (at least `expected` long), the ordinal of each
 * path is written there too.
 */
export function pathsWithState(
  segments: readonly Segment[],
  states: Uint8Array,
  code: number,
  expected: number,
  ordinals?: Int32Array,
): string[] {
  // Sized up front: 250k paths pushed one by one copy the array as it grows.
  // Stryker disable next-line ArrayDeclaration: an unsized array ends the same (out.length = n below), only slower
  const out = new Array<string>(expected);
  let n = 0;
  for (const segment of segments) {
    const end = segment.first + segment.count;
    // One native search, within the segment, passes over files in other states (a row whose files were all finished).
    const first = states.subarray(segment.first, end).indexOf(code);
    if (first < 0) continue;
    for (let o = segment.first + first; o < end; o++) {
      if (states[o] === code) {
        if (ordinals) ordinals[n] = o;
        out[n++] = pathOf(segment, o - segment.first);
      }
    }
  }
  out.length = n;
  return out;
}

/**
 * Where each of `wanted` is among the segments' paths: its ordinals in plan order, those
 * of removed files included (the caller knows the states). Only paths as long as one
 * wanted are decoded and looked up, so a resume merging a few changes into a 500k-file
 * plan makes a few thousand strings and hashes no others (the whole index: 300 ms).
 * Stored rows are read and checked first if they were not yet.
 */
export function ordinalsOf(segments: readonly Segment[], wanted: readonly string[]): Map<string, number[]> {
  const found = new Map(wanted.map((path) => [path, [] as number[]]));
  // By length in characters (decoded rows) and in bytes (rows not decoded).
  const charLengths = lengthTable(wanted.map((path) => path.length));
  const byteLengths = lengthTable(wanted.map((path) => Buffer.byteLength(path, 'utf8')));
  for (const segment of segments) {
    if (segment.paths) {
      segment.paths.forEach((path, i) => found.get(path)?.push(segment.first + i));
      continue;
    }
    verifySegment(segment);
    const { text, bytes } = segment;
    const starts = segment.starts!;
    const lengths = text === null ? byteLengths : charLengths;
    // Stryker disable next-line EqualityOperator: a step past the last path reads nothing wanted
    for (let i = 0; i < segment.count; i++) {
      const start = starts[i]!;
      const end = starts[i + 1]! - 1;
      // Stryker disable next-line all: the length filter only spares decoding; every path it lets through is looked up
      if (end - start >= lengths.length || lengths[end - start] === 0) continue;
      const path = text === null ? bytes!.toString('utf8', start, end) : text.slice(start, end);
      found.get(path)?.push(segment.first + i);
    }
  }
  return found;
}

/** A table with 1 at each of `lengths`. */
function lengthTable(lengths: readonly number[]): Uint8Array {
  const table = new Uint8Array(lengths.reduce((longest, length) => Math.max(longest, length), 0) + 1);
  for (const length of lengths) table[length] = 1;
  return table;
}

/**
 * Read a stored row if it was not yet (readSegment) and check it, once: valid UTF-8, the count,
 * and every path by the same rules as a path the caller plans: a checksum says the row is
 * as it was written, not that whoever wrote it followed the rules.
 * Only its bytes are kept, decoded (decodeSegment) when a path of it is asked for, or at
 * once by a caller that will hand its paths out.
 */
export function verifySegment(segment: Segment): void {
  if (segment.read) readSegment(segment);
  // Split already (and maybe decoded since): checked once is enough.
  if (segment.starts) return;
  const split = splitPathList(segment.bytes!, segment.count);
  if (split.problem !== null) throw new InconsistentFileLogError(`a planned row ${split.problem}`);
  segment.starts = split.starts;
}

/** Read a stored row (the repository verifies the checksum as it reads) and check that it is UTF-8. */
function readSegment(segment: Segment): void {
  const bytes = segment.read!();
  checkPathBytes(bytes);
  segment.bytes = bytes;
  segment.read = null;
}

/** Turn a row's bytes into its text, reading and checking the row first if not done yet. */
export function decodeSegment(segment: Segment): void {
  verifySegment(segment);
  const bytes = segment.bytes!;
  const text = decodePathText(bytes);
  // Only ASCII decodes to as many characters as bytes; otherwise find the starts again in the text.
  // Stryker disable next-line ConditionalExpression: finding them again in ASCII text finds the same starts, only slower
  if (text.length !== bytes.length) segment.starts = startsInText(text, segment.count);
  segment.text = text;
  segment.bytes = null;
}

/** Where each of the `count` paths of a checked list starts in its decoded text. */
function startsInText(text: string, count: number): Int32Array {
  const starts = new Int32Array(count + 1);
  // Set first: the search below finds no NUL after the last path.
  starts[count] = text.length + 1;
  for (let i = 1; i < count; i++) starts[i] = text.indexOf('\0', starts[i - 1]!) + 1;
  return starts;
}
