import fc from 'fast-check';
import { filePathListSchema, filePathProblem, filePathSchema } from '../../src/validation/file-paths';
import { phasesSchema } from '../../src/validation/json-columns';

// Paths come from the caller and from git, and are read back from disk; none may name a
// place outside the repository on any platform, nor fail to come back as they went in
// (issue 11, finding 8).
const SEED = Number(process.env.FC_SEED ?? 20261203);

describe('filePathProblem', () => {
  it.each([
    ['a backslash parent escape', 'a\\..\\..\\etc\\passwd'],
    ['a parent escape mixing separators', 'a/b\\..\\..\\c'],
    ['a leading backslash parent', '..\\x'],
    ['a trailing backslash parent', 'src\\..'],
    ['a UNC path', '\\\\server\\share\\x'],
    ['a rooted Windows path', '\\Windows\\x'],
    ['a drive letter', 'C:'],
    ['a drive-relative path', 'c:notes.txt'],
    ['a drive path', 'D:\\x'],
    ['an unpaired high surrogate', 'src/\uD800.ts'],
    ['an unpaired low surrogate', 'src/\uDC00x.ts'],
    ['a reversed pair', '\uDC00\uD800'],
    ['a parent segment', 'a/../b'],
    ['an absolute path', '/etc/passwd'],
  ])('refuses %s', (_what, path) => {
    expect(filePathProblem(path)).not.toBeNull();
  });

  it.each([
    'src/main.py',
    'a\\b.txt',
    'dir/..hidden',
    'x..y/z',
    'emoji/😀.ts',
    'docs/c:d.md',
    '...',
    'aux.c',
  ])('accepts %p, which git can hold on Linux', (path) => {
    expect(filePathProblem(path)).toBeNull();
  });

  it('says why, naming the separator rule', () => {
    expect(filePathProblem('a\\..\\b')).toMatch(/"\.\." segments/);
    expect(filePathProblem('\\\\server\\share')).toMatch(/relative to the repository root/);
    expect(filePathProblem('C:x')).toMatch(/drive letter/);
    expect(filePathProblem('\uD800')).toMatch(/well-formed/);
  });

  // Any UTF-16 code units at all, with separators, dots, colons and surrogates made likely.
  const unit = fc.oneof(
    fc.constantFrom('/', '\\', '.', '..', ':', 'C', 'a', '\uD800', '\uDC00', '😀'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  );
  const anyPath = fc.array(unit, { maxLength: 12 }).map((parts) => parts.join(''));

  it('accepts nothing that could leave the repository or change on the way back (property)', () => {
    fc.assert(
      fc.property(anyPath, (path) => {
        if (filePathProblem(path) !== null) return;
        expect((path as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
        expect(path.split(/[\\/]/)).not.toContain('..');
        expect(path).not.toMatch(/^[\\/]/);
        expect(path).not.toMatch(/^[A-Za-z]:/);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('refuses a ".." however it is joined to valid segments (property)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 4 }),
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('/', '\\'),
        fc.constantFrom('/', '\\'),
        (before, after, left, right) => {
          const path = [...before.map((s) => s + left), '..', ...after.map((s) => right + s)].join('');
          expect(filePathProblem(path)).not.toBeNull();
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('is what a list of paths is checked with', () => {
    const result = filePathListSchema.safeParse(['ok.ts', 'a\\..\\b', '\uD800']);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([[1], [2]]);
  });
});

describe('phase names, stored as text beside the paths', () => {
  it('refuses a phase name that is not well-formed UTF-16 (it would come back as U+FFFD and match no phase)', () => {
    expect(phasesSchema.safeParse([{ name: 'Index\uD800', weight: 1 }]).success).toBe(false);
    expect(phasesSchema.safeParse([{ name: 'Indexing 😀', weight: 1 }]).success).toBe(true);
  });
});

describe('file path rules for what git can name', () => {
  it.each([
    'new\nline.ts',
    'carriage\rreturn',
    '\ttab.ts',
    '-leading-dash',
    'quo"te\'s',
    'bell\u0007.txt',
    'spaced name/é.ts',
  ])('accept %j', (path) => {
    expect(filePathProblem(path)).toBeNull();
  });

  it.each([
    ['nul\0byte', /NUL/],
    ['', /empty/],
    ['/abs', /relative/],
    ['a/../b', /\.\./],
    ['a//b', /normalised/],
    ['x'.repeat(5000), /at most/],
  ])('refuse %j', (path, problem) => {
    expect(filePathProblem(path)).toMatch(problem);
  });

  it('lists: each path checked, repeats named', () => {
    expect(filePathListSchema.safeParse(['a', 'b\nc']).success).toBe(true);
    const result = filePathListSchema.safeParse(['a', 'a', 'x\0']);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[1], [2]]);
  });
});

describe('the zod schemas over filePathProblem', () => {
  it('filePathSchema refuses what filePathProblem refuses, with its reason', () => {
    const result = filePathSchema.safeParse('a/../b');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(filePathProblem('a/../b'));
    expect(filePathSchema.safeParse('a/b').success).toBe(true);
  });

  it('calls an empty path empty', () => {
    expect(filePathProblem('')).toBe('must not be empty');
  });

  it('filePathListSchema reports 20 bad paths at most, and a repeat by its index', () => {
    const bad = filePathListSchema.safeParse(Array.from({ length: 25 }, (_, i) => `/abs${i}`));
    expect(bad.error?.issues).toHaveLength(20);
    expect(bad.error?.issues[19]?.path).toEqual([19]);
    const repeated = filePathListSchema.safeParse(['a', 'b', 'a']);
    expect(repeated.error?.issues).toEqual([
      expect.objectContaining({ path: [2], message: 'duplicate path "a"' }),
    ]);
  });
});
