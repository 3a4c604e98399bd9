import fc from 'fast-check';
import type { StoredFileEvent } from '../../../src/repositories/checkpoint-files.repository';
import { encodePaths } from '../../../src/repositories/file-log-codec';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import {
  decodeSegment,
  newSegment,
  ordinalsOf,
  verifySegment,
} from '../../../src/services/recording/path-segments';
import { InconsistentFileLogError } from '../../../src/untrusted-checkpoint';
import { LOOKALIKE_PATHS, stored } from '../../support/stored-file-log';

// A ledger without its index answers lookups of a few paths with an index of those paths
// alone (FileLedger.withIndexOf), found by ordinalsOf in one pass over the stored rows that
// decodes only paths of a wanted length: in bytes for a row read but not decoded, in
// characters for a decoded one. A resume's merge uses it (test/services/resume holds the
// merge to the one with the whole index); here the lookups themselves are. Replay a failure
// with FC_SEED=<seed printed by fast-check>.
const SEED = Number(process.env.FC_SEED ?? 20261208);

const NAMES = LOOKALIKE_PATHS;

describe('FileLedger.withIndexOf', () => {
  it('answers a lookup of each path asked for as the whole index does', () => {
    const history = fc.record({
      rows: fc.array(fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: 3,
      }),
      completed: fc.array(fc.constantFrom(...NAMES), { maxLength: 6 }),
      removed: fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }),
      wanted: fc.array(fc.constantFrom(...NAMES, 'absent.ts'), { minLength: 1, maxLength: 5 }),
      replanned: fc.boolean(),
      decodePending: fc.boolean(),
    });
    fc.assert(
      fc.property(history, (h) => {
        // Each list planned apart is its own row; a path already planned is left out of it.
        const log: StoredFileEvent[] = [];
        const ledger = new FileLedger();
        for (const row of h.rows) {
          const fresh = row.filter((p) => ledger.stateOf(p) === undefined);
          if (fresh.length === 0) continue;
          ledger.plan(fresh);
          log.push(...stored(ledger.unsavedEvents()));
          ledger.markSaved();
        }
        ledger.finish(
          'completed',
          h.completed.filter((p) => ledger.stateOf(p) !== undefined),
        );
        ledger.remove(h.removed);
        const again = [...new Set(h.removed)].filter((p) => ledger.stateOf(p) === undefined);
        // Planned again: the same path at a second ordinal, the first gone.
        if (h.replanned && again.length > 0) ledger.plan(again);
        log.push(...stored(ledger.unsavedEvents()));

        const partial = FileLedger.load(log);
        // A resume reads every row: rows with pending files decoded, the others only read.
        partial.verifyStored();
        if (h.decodePending) partial.pathsIn('pending');
        const whole = FileLedger.load(log);
        whole.verifyStored();
        const expected = h.wanted.map((p) => whole.stateOf(p));
        const answered = partial.withIndexOf(h.wanted, () => {
          const states = h.wanted.map((p) => partial.stateOf(p));
          // And a change made through it (a merge removing files) is the same change.
          partial.remove(h.wanted);
          return states;
        });
        whole.remove(h.wanted);
        expect(answered).toEqual(expected);
        expect(partial.counts()).toEqual(whole.counts());
        expect(partial.unsavedEvents()).toEqual(whole.unsavedEvents());
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('looks up only the paths the changes name, and drops that index when done', () => {
    const ledger = new FileLedger();
    ledger.plan(['a.ts', 'b.ts', 'c.ts']);
    ledger.finish('completed', ['a.ts']);
    const resumed = FileLedger.load(stored(ledger.unsavedEvents()));
    resumed.verifyStored();
    const seen: (string | undefined)[] = [];
    resumed.withIndexOf(['a.ts', 'zz.ts'], () => {
      seen.push(resumed.stateOf('a.ts'), resumed.stateOf('zz.ts'), resumed.stateOf('b.ts'));
    });
    // b.ts is planned, but not one of the paths asked for: inside, it reads as unknown.
    expect(seen).toEqual(['completed', undefined, undefined]);
    expect(resumed.stateOf('b.ts')).toBe('pending');
  });

  it('drops the index of the changed paths even when the merge throws', () => {
    const ledger = new FileLedger();
    ledger.plan(['a.ts', 'b.ts']);
    const resumed = FileLedger.load(stored(ledger.unsavedEvents()));
    expect(() =>
      resumed.withIndexOf(['a.ts'], () => {
        throw new Error('midway');
      }),
    ).toThrow('midway');
    expect(resumed.stateOf('b.ts')).toBe('pending');
  });
});

describe('ordinalsOf', () => {
  it('finds paths in the caller’s own lists, in rows not read yet, read, and decoded, repeats included', () => {
    const rowA = encodePaths(['src/é.ts', 'src/e.ts', 'x']);
    const rowB = encodePaths(['docs/😀.md', 'x']);
    const decoded = newSegment(5, 2, null, () => rowB);
    decodeSegment(decoded);
    const readOnly = newSegment(8, 2, null, () => encodePaths(['src/é.ts', 'x']));
    verifySegment(readOnly); // read, checked and split, not decoded: as an earlier lookup leaves a row
    const segments = [
      newSegment(0, 3, null, () => rowA), // not read yet: read and checked here
      newSegment(3, 2, ['x', 'y'], null),
      decoded,
      newSegment(7, 1, ['src/é.ts'], null),
      readOnly,
    ];
    const found = ordinalsOf(segments, ['x', 'src/é.ts', 'docs/😀.md', 'src/e.ts', 'absent.ts', 'x', 'y']);
    expect(Object.fromEntries(found)).toEqual({
      x: [2, 3, 6, 9],
      'src/é.ts': [0, 7, 8],
      'docs/😀.md': [5],
      'src/e.ts': [1],
      'absent.ts': [],
      y: [4],
    });
    expect(segments[0]!.read).toBeNull();
    // Not decoded where it was not: the row split but not decoded keeps its bytes, the decoded one its text.
    expect(readOnly.text).toBeNull();
    expect(decoded.text).toBe('docs/😀.md\0x');
  });

  it('refuses a row that breaks the rules, as reading it anywhere does', () => {
    const segment = newSegment(0, 2, null, () => encodePaths(['a', '../up']));
    expect(() => ordinalsOf([segment], ['a'])).toThrow(InconsistentFileLogError);
  });
});
