import fc from 'fast-check';
import { decodePathText, encodePaths, InconsistentFileLogError } from '../../src/repositories/file-log-codec';
import { filePathProblem, MAX_PATH_LENGTH } from '../../src/validation/file-paths';
import { joinCheckedPaths, MAX_JOINED_LENGTH, splitPathList } from '../../src/validation/path-list';

// The file log's list rows are checked by splitPathList, a fast check that must refuse
// exactly what filePathProblem refuses, path by path (issue 12, finding 2). Replay a
// failure with FC_SEED=<seed printed by fast-check>.
const SEED = Number(process.env.FC_SEED ?? 20261203);

/** The paths of a split list, cut back out of its bytes at the starts found. */
function pathsOf(bytes: Buffer, starts: Int32Array, count: number): string[] {
  return Array.from({ length: count }, (_, i) => bytes.toString('utf8', starts[i]!, starts[i + 1]! - 1));
}

/** A list as the file log stores it. */
const stored = (paths: readonly string[]) => Buffer.from(paths.join('\0'), 'utf8');

// Code units a stored path can hold (no NUL: it separates them; no lone surrogate: only
// valid UTF-8 is decoded), with separators, dots and colons made likely.
const unit = fc.oneof(
  fc.constantFrom('/', '\\', '.', '..', ':', 'C', 'a', 'é', '😀', '\n'),
  fc
    .integer({ min: 1, max: 0xffff })
    .filter((c) => c < 0xd800 || c > 0xdfff)
    .map((c) => String.fromCharCode(c)),
);
const shortPath = fc.array(unit, { maxLength: 10 }).map((parts) => parts.join(''));
const longPath = fc.constantFrom(
  'x'.repeat(MAX_PATH_LENGTH),
  'x'.repeat(MAX_PATH_LENGTH + 1),
  `${'a/'.repeat(2048)}b`,
  `${'a/'.repeat(2047)}bc`,
);
const storedPath = fc.oneof({ arbitrary: shortPath, weight: 20 }, { arbitrary: longPath, weight: 1 });
const pathList = fc.array(storedPath, { minLength: 1, maxLength: 8 });

describe('splitPathList: a stored list checked as strictly as each path', () => {
  it('refuses a list iff filePathProblem refuses one of its paths, and names one that it refuses (property)', () => {
    fc.assert(
      fc.property(pathList, (paths) => {
        const bytes = stored(paths);
        const split = splitPathList(bytes, paths.length);
        const refused = paths.map(filePathProblem);
        if (split.problem === null) {
          expect(refused).toEqual(paths.map(() => null));
          expect(pathsOf(bytes, split.starts, paths.length)).toEqual(paths);
        } else {
          const named = /^holds a path that breaks the path rules \(path (\d+) (.*)\)$/s.exec(split.problem);
          expect(named).not.toBeNull();
          expect(refused[Number(named![1])]).toBe(named![2]);
        }
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('lets valid paths through the fast path untouched, including the odd ones git allows', () => {
    const paths = [
      'src/main.py',
      'a\\b.txt',
      'dir/..hidden',
      'x..y/z',
      'emoji/😀.ts',
      'docs/c:d.md',
      '...',
      '.gitignore',
      'a\\.\\b',
      'end.',
      'x',
    ];
    const split = splitPathList(stored(paths), paths.length);
    if (split.problem !== null) throw new Error(`refused: ${split.problem}`);
    expect(pathsOf(stored(paths), split.starts, paths.length)).toEqual(paths);
  });

  it.each([
    ['a parent escape at the start', ['ok', '../../etc/passwd'], 1, /"\.\."/],
    ['a parent segment inside', ['a/b/../c', 'ok'], 0, /"\.\."/],
    ['a backslash parent inside', ['ok', 'a\\..\\x.ts', 'ok'], 1, /"\.\."/],
    ['a "." segment inside', ['ok', 'a/./b'], 1, /normalised/],
    ['an empty segment', ['a//b'], 0, /normalised/],
    ['a trailing slash', ['ok', 'a/'], 1, /normalised/],
    ['a leading slash', ['/etc/passwd'], 0, /relative/],
    ['a UNC path', ['ok', '\\\\server\\share'], 1, /relative/],
    ['a drive letter', ['C:x'], 0, /drive letter/],
    ['an empty path', ['ok', '', 'ok'], 1, /empty/],
    ['an over-long path', ['x'.repeat(MAX_PATH_LENGTH + 1)], 0, /at most/],
  ])('refuses %s, naming the path by its index only', (_what, paths, index, rule) => {
    const split = splitPathList(stored(paths), paths.length);
    expect(split.problem).toMatch(new RegExp(`^holds a path that breaks the path rules \\(path ${index} `));
    expect(split.problem).toMatch(rule);
  });

  it('refuses a list that holds more or fewer paths than its row says', () => {
    expect(splitPathList(stored(['a', 'b', 'c']), 2).problem).toBe('holds more than 2 paths');
    expect(splitPathList(stored(['a', 'b']), 3).problem).toBe('holds 2 paths, not 3');
  });
  it('checks only the paths that look suspect inside, and names the first one refused in list order', () => {
    const paths = ['x./y', 'ok', 'a..b/c', 'a/./b', 'z//w'];
    expect(splitPathList(stored(paths), paths.length).problem).toBe(
      'holds a path that breaks the path rules (path 3 must be normalised (no "." or empty segments))',
    );
    const valid = ['x./y', 'w.\\v', 'x./y/z./q', 'last'];
    const split = splitPathList(stored(valid), valid.length);
    if (split.problem !== null) throw new Error(`refused: ${split.problem}`);
    expect(pathsOf(stored(valid), split.starts, valid.length)).toEqual(valid);
  });
});

describe("joinCheckedPaths: a caller's list checked in the same one pass", () => {
  // Anything a caller may hand over: good and bad paths, entries holding NUL or a lone
  // surrogate (at either end, where the separator meets it), and entries that are no string.
  const callerEntry = fc.oneof(
    { arbitrary: storedPath, weight: 12 },
    { arbitrary: fc.constantFrom('a\0b', '\0', 'x\uD800', '\uDC00y', 'ok\uD83D', '\uDE00'), weight: 1 },
    { arbitrary: fc.constantFrom<unknown>(7, null, undefined, ['a'], { path: 'a' }), weight: 1 },
  );

  it('joins a list iff filePathProblem accepts every entry, and the join splits back into it (property)', () => {
    fc.assert(
      fc.property(fc.array(callerEntry, { maxLength: 8 }), (paths) => {
        const joined = joinCheckedPaths(paths);
        const accepted =
          paths.length > 0 && paths.every((p) => typeof p === 'string' && filePathProblem(p) === null);
        expect(joined !== null).toBe(accepted);
        if (joined) {
          expect(joined.bytes).toEqual(stored(paths as string[]));
          expect(pathsOf(joined.bytes, joined.starts, paths.length)).toEqual(paths);
        }
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('refuses halves of one character given as two paths, and a path that holds the separator', () => {
    expect(joinCheckedPaths(['a\uD83D', '\uDE00b'])).toBeNull();
    expect(joinCheckedPaths(['a\0b'])).toBeNull();
    expect(joinCheckedPaths(['a', 'b\n', '😀'])?.bytes.toString()).toBe('a\0b\n\0😀');
    expect(joinCheckedPaths([])).toBeNull();
  });

  it('leaves a list too long to join as one string to the path-by-path check', () => {
    expect(joinCheckedPaths(['ab', 'cd'], 5)?.bytes.toString()).toBe('ab\0cd');
    expect(joinCheckedPaths(['ab', 'cde'], 5)).toBeNull();
    expect(MAX_JOINED_LENGTH).toBeLessThan(2 ** 29 - 24); // V8's longest string
  });
});

describe('decodePathText: only valid UTF-8 comes back', () => {
  it.each([
    ['an encoded surrogate (CESU-8)', [0x61, 0xed, 0xa0, 0x80]],
    ['an overlong "/"', [0x61, 0xc0, 0xaf]],
    ['a cut sequence', [0x61, 0xc3]],
    ['a stray continuation byte', [0x80]],
  ])('refuses %s rather than turning it into U+FFFD', (_what, bytes) => {
    expect(() => decodePathText(Buffer.from(bytes))).toThrow(InconsistentFileLogError);
  });

  it('gives back what encodePaths stored, ASCII or not, a leading BOM included (property)', () => {
    const text = fc.array(fc.oneof(fc.constantFrom('\uFEFF', 'é', '😀', '\n'), fc.string({ maxLength: 6 })), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.array(
          text.map((parts) => parts.join('')),
          { minLength: 1, maxLength: 5 },
        ),
        (paths) => {
          const nulFree = paths.map((p) => p.replace(/\0/g, ''));
          expect(decodePathText(encodePaths(nulFree))).toBe(nulFree.join('\0'));
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
