import { z } from 'zod';

export const MAX_PATH_LENGTH = 4096;

/**
 * What a path in a file list must look like: relative to the repository root, in git's
 * form (forward slashes, no `.` or `..` segments, no empty segments), without NUL (the
 * file log separates paths with it, and git cannot name a file with one). Newlines, tabs
 * and other control characters are allowed: git can produce them. Returns the problem, or null.
 *
 * The same rule serves input and rows read back from disk. Beyond git's form it refuses
 * what would name another place once a path reaches Windows, where `\` separates too:
 * a `..` between either separator, a leading `\` (root or UNC `\\server\share`) and a
 * drive letter (`C:`, also drive-relative `C:x`). And a string that is not well-formed
 * UTF-16 (an unpaired surrogate): it would be stored as U+FFFD, so the path read back would
 * not be the path recorded, and the checkpoint holding it would not match the repository.
 */
export function filePathProblem(path: string): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (!isWellFormedText(path)) return 'must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)';
  if (path.includes('\0')) return 'must not contain NUL';
  if (path.startsWith('/') || path.startsWith('\\'))
    return 'must be relative to the repository root (no leading "/" or "\\", no UNC path)';
  if (DRIVE_LETTER.test(path))
    return 'must be relative to the repository root (no drive letter such as "C:")';
  for (const segment of path.split('/')) {
    if (segment === '..' || (segment.includes('\\') && segment.split('\\').includes('..'))) {
      return 'must not contain ".." segments (separated by "/" or "\\")';
    }
    if (segment === '.' || segment === '') return 'must be normalised (no "." or empty segments)';
  }
  return null;
}

/** A stored list split into paths: path i is `text.slice(starts[i], starts[i + 1] - 1)`. */
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
 * (a `.` or `..` segment, or one ending in `.`, followed by a separator). One regular
 * expression scans the whole list once, rather than a substring search per pattern.
 */
const INNER_SUSPECT = /\/\/|\.[/\\]/g;

/**
 * Splits a list of paths as the file log stores it (joined by NUL, decoded from valid
 * UTF-8, so well-formed) into `count` paths, and checks each by the path rules: returns
 * where each starts, or what is wrong with the list (for a path, its index and the rule
 * it breaks, never the path itself: a reason is shown and logged, the path may be hostile).
 *
 * As strict as filePathProblem on every path, at a fraction of its cost on a 500k-file
 * list: every way to break the rules shows either at a path's ends (a leading `/` or `\`,
 * a drive letter, a trailing `/` or `.`, an empty or over-long path), which the split
 * visits anyway, or as `//`, `./` or `.\`, which one scan of the whole text finds. Only a
 * path that shows one of these goes through filePathProblem: it alone says what is wrong,
 * so the two cannot disagree on what is refused (a property test holds them to it).
 * Valid names that look like this (`x./y`) only cost the slow check of their own path.
 */
export function splitPathList(text: string, count: number): SplitPathList | { problem: string } {
  const starts = new Int32Array(count + 1);
  let at = 0;
  let n = 0;
  for (;;) {
    const end = text.indexOf('\0', at);
    const stop = end < 0 ? text.length : end;
    if (n >= count) return { problem: `holds more than ${count} paths` };
    starts[n++] = at;
    const first = text.charCodeAt(at);
    const last = text.charCodeAt(stop - 1);
    if (
      stop === at ||
      stop - at > MAX_PATH_LENGTH ||
      first === SLASH ||
      first === BACKSLASH ||
      last === DOT ||
      last === SLASH ||
      text.charCodeAt(at + 1) === COLON
    ) {
      const problem = filePathProblem(text.slice(at, stop));
      if (problem) return { problem: brokenRule(n - 1, problem) };
    }
    if (end < 0) break;
    at = end + 1;
  }
  if (n !== count) return { problem: `holds ${n} paths, not ${count}` };
  starts[n] = text.length + 1;
  const problem = innerProblem(text, starts, n);
  return problem === null ? { starts, problem: null } : { problem };
}

/** The first path (in list order) that shows an INNER_SUSPECT and breaks a rule, said as splitPathList says it. */
function innerProblem(text: string, starts: Int32Array, count: number): string | null {
  INNER_SUSPECT.lastIndex = 0;
  for (let match = INNER_SUSPECT.exec(text); match !== null; match = INNER_SUSPECT.exec(text)) {
    const i = pathAt(starts, count, match.index);
    const problem = filePathProblem(text.slice(starts[i]!, starts[i + 1]! - 1));
    if (problem) return brokenRule(i, problem);
    // The rest of this path can add nothing: look on from the next one.
    INNER_SUSPECT.lastIndex = starts[i + 1]!;
  }
  return null;
}

/** The index of the path that holds offset `at` of the text (binary search of the starts). */
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

/** A caller's list of paths joined as the file log stores it, with where each path starts. */
export interface JoinedPaths {
  /** The paths joined by NUL. */
  text: string;
  /** Path i is `text.slice(starts[i], starts[i + 1] - 1)`. */
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
 * the path rules. Returns the list joined, which the file log stores as it is, or null when
 * an entry fails (or the list is longer than `maxLength` joined): the caller then checks
 * entry by entry with filePathProblem, which says which one and why, so a refusal reads
 * the same as before. Repeats are not looked for.
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
  if (!isWellFormedText(text)) return null;
  const split = splitPathList(text, paths.length);
  return split.problem === null ? { text, starts: split.starts } : null;
}

/** `C:`, `c:\x`, `C:x` (relative to drive C's current folder): a drive on Windows. */
const DRIVE_LETTER = /^[A-Za-z]:/;

/** False for a string with an unpaired surrogate, which no UTF-8 store can keep as it is. */
export function isWellFormedText(text: string): boolean {
  // ES2024, in Node since 20; the project's lib setting (ES2022) does not declare it.
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

export const filePathSchema = z.string().superRefine((path, ctx) => {
  const problem = filePathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Issues reported for one list at most; past that, more detail helps nobody. */
const MAX_LIST_ISSUES = 20;

/**
 * A list of paths: each valid, none repeated. One refinement over the whole list rather
 * than one per element: a 500k-file plan validates in a fifth of the time.
 */
export const filePathListSchema = z.array(z.string()).superRefine((paths, ctx) => {
  const seen = new Set<string>();
  let issues = 0;
  for (let index = 0; index < paths.length && issues < MAX_LIST_ISSUES; index++) {
    const path = paths[index]!;
    const problem = seen.has(path) ? `duplicate path ${JSON.stringify(path)}` : filePathProblem(path);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: [index], message: problem });
      issues++;
    }
    seen.add(path);
  }
});
