import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { encodeOrdinals } from '../../../src/repositories/file-log-codec';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import { InconsistentFileLogError } from '../../../src/untrusted-checkpoint';
import { filePathProblem } from '../../../src/validation/file-paths';

// A stored list row is checked on its bytes (valid UTF-8, then the path rules on the
// bytes), and decoded only when its paths are needed. Whatever the bytes, the ledger must
// accept exactly the rows that decode as UTF-8 into `count` paths each passing
// filePathProblem, and give those paths back as decoded: the rule for paths on the way
// in. Replay a failure with FC_SEED=<seed printed by fast-check>.
const SEED = Number(process.env.FC_SEED ?? 20261207);

const bytes = (...b: number[]) => Buffer.from(b);
const text = (s: string) => Buffer.from(s, 'utf8');

/** Pieces of a hostile row: separators, dots, drive colons, and invalid or look-alike UTF-8. */
const piece = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...['/', '\\', '.', '..', ':', 'C', 'a', '-', '\0'].map(text)) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...['\r', '\n', '\t', ' ', 'é', '😀', '\uFEFF', '\uFF0F', '\u2024'].map(text)),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      bytes(0xc0, 0xaf), // overlong "/"
      bytes(0xc0, 0xae), // overlong "."
      bytes(0xe0, 0x80, 0xaf), // three-byte overlong "/"
      bytes(0xc0, 0x80), // overlong NUL
      bytes(0xed, 0xa0, 0x80), // an encoded surrogate
      bytes(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
      bytes(0x80), // a stray continuation byte
      bytes(0xff),
      bytes(0xc3), // a cut sequence
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((b) => bytes(b)) },
  {
    weight: 1,
    // Around the length limit: 4096 characters in more bytes, and one too many.
    arbitrary: fc.constantFrom(
      text('é'.repeat(2049)),
      text('x'.repeat(4096)),
      text('x'.repeat(4097)),
      text('😀'.repeat(2048)),
      text('😀'.repeat(2049)),
    ),
  },
);
const row = fc.array(piece, { minLength: 0, maxLength: 14 }).map((pieces) => Buffer.concat(pieces));

/** What the row must read as, by the rule for paths on the way in, or null when it must be refused. */
function expectedPaths(data: Buffer, count: number): string[] | null {
  if (!isUtf8(data)) return null;
  const paths = data.toString('utf8').split('\0');
  if (paths.length !== count) return null;
  return paths.every((path) => filePathProblem(path) === null) ? paths : null;
}

function countOf(data: Buffer, off: number): number {
  return Math.max(1, data.filter((b) => b === 0).length + 1 + off);
}

describe('a stored list row checked on its bytes', () => {
  it.each([
    ['finished (read, checked and decoded when needed)', 'completed' as const],
    ['pending (checked and decoded at once)', 'pending' as const],
  ])('accepts a row %s iff it decodes to paths that each pass the path rules (property)', (_what, state) => {
    fc.assert(
      fc.property(row, fc.constantFrom(0, 0, 0, 1, -1), (data, off) => {
        const count = countOf(data, off);
        const ordinals = Array.from({ length: count }, (_, i) => i);
        const events = [
          { kind: 'planned' as const, first: 0, count, read: () => Buffer.from(data) },
          { kind: 'planned' as const, first: count, count: 1, read: () => text('other') },
          ...(state === 'completed'
            ? [{ kind: 'completed' as const, count, data: encodeOrdinals(ordinals) }]
            : []),
        ];
        const expected = expectedPaths(data, count);
        const told: InconsistentFileLogError[] = [];
        const ledger = FileLedger.load(events, (problem) => told.push(problem));
        // A pending row is held to UTF-8, its count and the path rules by the resume; a
        // finished one when its paths are first needed: refused then, or left out of the
        // index and told, never handed out.
        if (expected === null && state === 'pending') {
          expect(() => ledger.verifyStored()).toThrow(InconsistentFileLogError);
          return;
        }
        ledger.verifyStored();
        if (expected === null) {
          expect(() => ledger.pathsIn('completed')).toThrow(InconsistentFileLogError);
          expect(ledger.stateOf('other')).toBe('pending');
          expect(told).toEqual([expect.any(InconsistentFileLogError)]);
          return;
        }
        const other = state === 'completed' ? ['other'] : [...expected, 'other'];
        expect(ledger.pathsIn('pending')).toEqual(other);
        if (state === 'completed') expect(ledger.pathsIn('completed')).toEqual(expected);
      }),
      { seed: SEED, numRuns: 4000 },
    );
  });

  it.each([
    ['an overlong "/" making "a//b"', bytes(0x61, 0x2f, 0xc0, 0xaf, 0x62)],
    ['an overlong "." making "a/../b"', bytes(0x61, 0x2f, 0xc0, 0xae, 0x2e, 0x2f, 0x62)],
    ['an overlong NUL hiding a second path', bytes(0x61, 0xc0, 0x80, 0x62)],
    ['an encoded surrogate', bytes(0x61, 0xed, 0xa0, 0x80)],
    ['a cut sequence at the end of a path', bytes(0x61, 0xc3, 0x00, 0x62)],
  ])('refuses a finished row with %s when its paths are first needed', (_what, data) => {
    const count = data.filter((b) => b === 0).length + 1;
    const ledger = FileLedger.load([
      { kind: 'planned', first: 0, count, read: () => data },
      { kind: 'completed', count, data: encodeOrdinals(Array.from({ length: count }, (_, i) => i)) },
    ]);
    ledger.verifyStored(); // the resume does not read it: none of its paths is handed out
    expect(() => ledger.pathsIn('completed')).toThrow(/not valid UTF-8/);
  });
});

describe('a stored list row of finished files', () => {
  const unreadable = () => {
    throw new Error('disk I/O error');
  };

  it('is not read by the resume, and one that cannot be read later is left out and told, not thrown', () => {
    const told: InconsistentFileLogError[] = [];
    const ledger = FileLedger.load(
      [
        { kind: 'planned', first: 0, count: 2, read: unreadable },
        { kind: 'planned', first: 2, count: 1, read: () => text('c.ts') },
        { kind: 'completed', count: 2, data: encodeOrdinals([0, 1]) },
      ],
      (problem) => told.push(problem),
    );
    ledger.verifyStored();
    expect(ledger.pathsIn('pending')).toEqual(['c.ts']);
    expect(told).toEqual([]);
    // Not handed out: only the whole index knows it, and the row it would be in is left out.
    expect(ledger.stateOf('a.ts')).toBeUndefined();
    expect(told.map((problem) => problem.message)).toEqual([
      'file log: a planned row could not be read: disk I/O error',
    ]);
  });

  it('is read by the resume when it holds pending files: a failure to read fails the resume there', () => {
    const ledger = FileLedger.load([
      { kind: 'planned', first: 0, count: 2, read: unreadable },
      { kind: 'completed', count: 1, data: encodeOrdinals([0]) },
    ]);
    expect(() => ledger.verifyStored()).toThrow('disk I/O error');
  });
});
