/**
 * A list of paths as the file log stores it: UTF-8, separated by NUL. Split and checked
 * by the path rules on its bytes, for a stored row and for a caller's new list alike.
 */
import { filePathProblem, isWellFormedText, MAX_PATH_LENGTH } from './file-paths';

/** A list split into paths: path i is bytes `starts[i]` up to (not including) `starts[i + 1] - 1`. */
export interface SplitPathList {
  starts: Int32Array;
  problem: null;
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const COLON = 0x3a;

/**
 * Where a path can break a rule away from its ends: `//` (an empty segment), `./` or `.\`
 * (a `.` or `..` segment, or one ending in `.`, followed by a separator). These bytes
 * never occur inside a multi-byte UTF-8 character, so a search of the bytes finds them.
 */
const EMPTY_SEGMENT = Buffer.from('//');
const DOT_SLASH = Buffer.from('./');

/**
 * Splits a list of paths as the file log stores it (joined by NUL, valid UTF-8: the
 * caller checks that first) into `count` paths, and checks each by the path rules:
 * returns where each starts, in bytes, or what is wrong with the list (for a path, its
 * index and the rule it breaks, never the path itself: a reason is shown and logged, the
 * path may be hostile).
 *
 * As strict as filePathProblem on every path, at a fraction of its cost on a 500k-file
 * list: every way to break the rules shows either at a path's ends (a leading `/` or `\`,
 * a drive letter, a trailing `/` or `.`, an empty or over-long path), which the split
 * visits anyway, or as `//`, `./` or `.\`, which a byte search of the whole list finds.
 * Only a path that shows one of these goes through filePathProblem: it alone says what is
 * wrong, so the two cannot disagree on what is refused (a property test holds them to it).
 * Valid names that look like this (`x./y`, a long name in a non-Latin script) only cost
 * the slow check of their own path. Working on the bytes spares decoding rows whose paths
 * are never handed out (a resume checks the rows of finished files, it does not read them).
 */
export function splitPathList(bytes: Buffer, count: number): SplitPathList | { problem: string } {
  const starts = new Int32Array(count + 1);
  let at = 0;
  let n = 0;
  for (;;) {
    const end = bytes.indexOf(0, at);
    const stop = end < 0 ? bytes.length : end;
    if (n >= count) return { problem: `holds more than ${count} paths` };
    starts[n++] = at;
    const first = bytes[at];
    const last = bytes[stop - 1];
    if (
      stop === at ||
      // Bytes, not characters: never fewer, so no over-long path passes unchecked.
      stop - at > MAX_PATH_LENGTH ||
      first === SLASH ||
      first === BACKSLASH ||
      last === DOT ||
      last === SLASH ||
      bytes[at + 1] === COLON
    ) {
      const problem = filePathProblem(bytes.toString('utf8', at, stop));
      if (problem) return { problem: brokenRule(n - 1, problem) };
    }
    if (end < 0) break;
    at = end + 1;
  }
  if (n !== count) return { problem: `holds ${n} paths, not ${count}` };
  starts[n] = bytes.length + 1;
  const problem = innerProblem(bytes, starts, n);
  return problem === null ? { starts, problem: null } : { problem };
}

/** The first path (in list order) that shows a suspect inside and breaks a rule, said as splitPathList says it. */
function innerProblem(bytes: Buffer, starts: Int32Array, count: number): string | null {
  let refused = count;
  let message = '';
  // Checks the path holding offset `at`; returns where to search on from.
  const check = (at: number): number => {
    const i = pathAt(starts, count, at);
    const problem = filePathProblem(bytes.toString('utf8', starts[i]!, starts[i + 1]! - 1));
    if (problem && i < refused) {
      refused = i;
      message = problem;
    }
    // The rest of this path can add nothing: look on from the next one.
    return problem ? -1 : starts[i + 1]!;
  };
  // A suspect past a path already refused cannot name an earlier one: each search stops there.
  const before = (at: number) => at >= 0 && (refused === count || at < starts[refused]!);
  for (const suspect of [EMPTY_SEGMENT, DOT_SLASH]) {
    for (let at = bytes.indexOf(suspect); before(at);) {
      const next = check(at);
      at = next < 0 ? -1 : bytes.indexOf(suspect, next);
    }
  }
  // `.\`: the backslash is the rare byte, so it is the one searched for.
  for (let at = bytes.indexOf(BACKSLASH); before(at);) {
    if (bytes[at - 1] !== DOT) at = bytes.indexOf(BACKSLASH, at + 1);
    else {
      const next = check(at);
      at = next < 0 ? -1 : bytes.indexOf(BACKSLASH, next);
    }
  }
  return refused === count ? null : brokenRule(refused, message);
}

/** The index of the path that holds offset `at` of the list (binary search of the starts). */
function pathAt(starts: Int32Array, count: number, at: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (starts[middle]! <= at) low = middle;
    else high = middle - 1;
  }
  return low;
}

function brokenRule(index: number, problem: string): string {
  return `holds a path that breaks the path rules (path ${index} ${problem})`;
}

/** A caller's list of paths as the file log stores it, with where each path starts. */
export interface JoinedPaths {
  /** The paths joined by NUL, as UTF-8. */
  bytes: Buffer;
  /** Path i is bytes `starts[i]` up to `starts[i + 1] - 1`. */
  starts: Int32Array;
}

/**
 * The longest list joinCheckedPaths joins (UTF-16 code units, separators included): a
 * quarter of a billion, half of what V8 allows one string, so a list of many millions of
 * paths falls back to the path-by-path check instead of failing to join.
 */
export const MAX_JOINED_LENGTH = 2 ** 28;

/**
 * A caller's list checked by the same one pass as a stored list (splitPathList): each
 * entry a string, well-formed, free of NUL (one would show as a path too many) and within
 * the path rules. Returns the list joined and encoded, which the file log stores as it is
 * (so a new list is joined and encoded once), or null when an entry fails (or the list is
 * longer than `maxLength` joined): the caller then checks entry by entry with
 * filePathProblem, which says which one and why, so a refusal reads the same as before.
 * Repeats are not looked for.
 */
export function joinCheckedPaths(
  paths: readonly unknown[],
  maxLength = MAX_JOINED_LENGTH,
): JoinedPaths | null {
  if (paths.length === 0) return null;
  let length = paths.length - 1;
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    if (typeof path !== 'string') return null;
    length += path.length;
  }
  if (length > maxLength) return null;
  const text = (paths as readonly string[]).join('\0');
  // NUL between paths: a lone surrogate at a path's end cannot pair with the next path's.
  // Checked before encoding, which would turn one into U+FFFD.
  if (!isWellFormedText(text)) return null;
  const bytes = Buffer.from(text, 'utf8');
  const split = splitPathList(bytes, paths.length);
  return split.problem === null ? { bytes, starts: split.starts } : null;
}
