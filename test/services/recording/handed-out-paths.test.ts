import fc from 'fast-check';
import { ValidationError } from '../../../src/errors';
import type { StoredFileEvent } from '../../../src/repositories/checkpoint-files.repository';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import { HandedOutPaths } from '../../../src/services/recording/handed-out-paths';
import type { PlanIndex } from '../../../src/services/recording/plan-index';
import { stored } from '../../support/stored-file-log';

// After a resume the ledger finishes the pending files it handed out without an index of
// the whole plan (HandedOutPaths), and a batch of pending files without checking each for
// every way it could be refused; any other call builds the index and takes the general
// path as before. Every finish() must be answered exactly as that general path answers it:
// same result, same error, same states, same file-log events. Replay a failure with
// FC_SEED=<seed printed by fast-check>.
const SEED = Number(process.env.FC_SEED ?? 20261208);

/** A sync of `size` files, the first `finished` of them completed, reloaded as a resume loads it. */
function interrupted(size: number, finished: number): { log: StoredFileEvent[]; paths: string[] } {
  const paths = Array.from({ length: size }, (_, i) => `src/dir${i % 7}/file-${i}.ts`);
  const ledger = new FileLedger();
  ledger.plan(paths);
  ledger.finish('completed', paths.slice(0, finished));
  return { log: stored(ledger.unsavedEvents()), paths };
}

type Outcome = { returned: number } | { issues: unknown };

function finishOn(ledger: FileLedger, kind: 'completed' | 'skipped', paths: unknown[]): Outcome {
  try {
    return { returned: ledger.finish(kind, paths) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { issues: error.issues };
  }
}

describe('finishing the files a resume handed out', () => {
  it('answers every call as the general path with the whole index does', () => {
    const size = 40;
    const { log, paths } = interrupted(size, 10);
    const name = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: size - 1 }).map((i) => paths[i]!) },
      { weight: 1, arbitrary: fc.constantFrom('src/new-file.ts', 'new/b.ts') },
      { weight: 1, arbitrary: fc.constantFrom<unknown>('../up', '/abs', 7, null) },
    );
    const call = fc.record({
      kind: fc.constantFrom('completed' as const, 'skipped' as const),
      paths: fc.oneof({ weight: 3, arbitrary: name.map((p) => [p]) }, fc.array(name, { maxLength: 5 })),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), fc.boolean(), (calls, mutate) => {
        const resumed = FileLedger.load(log);
        resumed.verifyStored();
        const handed = resumed.handOutPending();
        // The caller's array is theirs: reordering it changes nothing for the ledger.
        if (mutate) handed.reverse();
        // The reference: the whole index, and only the general path of finish() (its shortcuts off).
        const indexed = FileLedger.load(log);
        indexed.verifyStored();
        indexed.stateOf(paths[0]!);
        const shortcuts = indexed as unknown as { index: PlanIndex; finishAllPending(): boolean };
        shortcuts.index.pendingOrdinal = () => undefined;
        shortcuts.finishAllPending = () => false;
        for (const { kind, paths: named } of calls) {
          expect(finishOn(resumed, kind, named)).toEqual(finishOn(indexed, kind, named));
          expect(resumed.counts()).toEqual(indexed.counts());
        }
        expect(resumed.unsavedEvents()).toEqual(indexed.unsavedEvents());
        for (const state of ['pending', 'completed', 'skipped'] as const)
          expect(resumed.pathsIn(state)).toEqual(indexed.pathsIn(state));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('finishes pending files, one by one or in batches, without indexing the whole plan', () => {
    const { log, paths } = interrupted(3_000, 1_000);
    const ledger = FileLedger.load(log);
    ledger.verifyStored();
    const pending = ledger.handOutPending();
    expect(pending).toEqual(paths.slice(1_000));
    // The whole plan's map (PlanIndex.all), which every lookup other than these would build.
    const build = jest.spyOn((ledger as unknown as { index: PlanIndex }).index, 'all');
    expect(ledger.finish('completed', [pending[5]!])).toBe(0);
    expect(ledger.finish('skipped', pending.slice(10, 20))).toBe(0);
    expect(ledger.finish('completed', [pending[1_999]!])).toBe(0);
    expect(build).not.toHaveBeenCalled();
    expect(ledger.counts()).toEqual({ pending: 1_988, completed: 1_002, skipped: 10 });

    // A file finished before the resume is passed over: only the whole index can tell it from a new one.
    expect(ledger.finish('completed', [paths[0]!])).toBe(1);
    expect(build).toHaveBeenCalled();
    expect(ledger.counts()).toEqual({ pending: 1_988, completed: 1_002, skipped: 10 });
  });

  it('indexes the paths handed out only as far as the one asked for', () => {
    const paths = Array.from({ length: 5_000 }, (_, i) => `f${i}`);
    const lookup = new HandedOutPaths(
      paths,
      Int32Array.from(paths, (_, i) => 100 + i),
    );
    const set = jest.spyOn(Map.prototype, 'set');
    try {
      expect(lookup.ordinalOf('f3')).toBe(103);
      expect(set).toHaveBeenCalledTimes(1_024);
      expect(lookup.ordinalOf('f1023')).toBe(1_123);
      expect(set).toHaveBeenCalledTimes(1_024);
      expect(lookup.ordinalOf('f1024')).toBe(1_124);
      expect(set).toHaveBeenCalledTimes(2_048);
      expect(lookup.ordinalOf('elsewhere')).toBeUndefined();
      expect(set).toHaveBeenCalledTimes(5_000);
      expect(lookup.ordinalOf('f4999')).toBe(5_099);
      expect(set).toHaveBeenCalledTimes(5_000);
    } finally {
      set.mockRestore();
    }
  });
});
