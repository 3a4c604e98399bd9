import fc from 'fast-check';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import type { FileChange } from '../../../src/services/resume/git-changes';
import { mergeChanges } from '../../../src/services/resume/resume-plan';
import { LOOKALIKE_PATHS, stored } from '../../support/stored-file-log';

// A lineage resumed several times: each round merges changes (without the whole index),
// hands out the pending files and finishes some of them (the shortcuts that need no index),
// flushes part of its work and dies. The other property tests compare those shortcuts with
// the same ledger's general path, within one resume; this one holds several rounds, whose
// logs carry the removed and reopened ordinals of earlier rounds, to a plain list of
// (path, state) that knows nothing of ordinals or rows. Replay with FC_SEED=<seed>.
const SEED = Number(process.env.FC_SEED ?? 20261208);

const NAMES = LOOKALIKE_PATHS;

type State = 'pending' | 'completed' | 'skipped';

/** The plan as a list of (path, state), in plan order: what a fresh reasoning says. */
class Model {
  entries: { path: string; state: State }[] = [];
  find(path: string) {
    return this.entries.find((e) => e.path === path);
  }
  plan(paths: string[]) {
    for (const path of paths) this.entries.push({ path, state: 'pending' });
  }
  finish(kind: 'completed' | 'skipped', paths: string[]): number {
    const unplanned = [...new Set(paths)].filter((p) => !this.find(p));
    this.plan(unplanned);
    const seen = new Set<string>();
    let repeated = 0;
    for (const p of paths) {
      const e = this.find(p)!;
      if (seen.has(p) || e.state !== 'pending') repeated++;
      else e.state = kind;
      seen.add(p);
    }
    return repeated;
  }
  merge(changes: FileChange[]): string[] {
    const toRemove: string[] = [];
    for (const c of changes) {
      const gone = c.status === 'D' ? c.path : c.status === 'R' ? c.from : null;
      if (gone !== null) {
        const e = this.find(gone);
        if (e?.state === 'completed') toRemove.push(gone);
        this.entries = this.entries.filter((x) => x.path !== gone);
      }
      if (c.status !== 'D') {
        const e = this.find(c.path);
        if (!e) this.plan([c.path]);
        else e.state = 'pending';
      }
    }
    return toRemove;
  }
  paths(state: State) {
    return this.entries.filter((e) => e.state === state).map((e) => e.path);
  }
}

const change: fc.Arbitrary<FileChange> = fc.oneof(
  fc.record({
    status: fc.constantFrom('A' as const, 'M' as const, 'D' as const, 'T' as const),
    path: fc.constantFrom(...NAMES),
  }),
  fc.record({
    status: fc.constantFrom('R' as const, 'C' as const),
    from: fc.constantFrom(...NAMES),
    path: fc.constantFrom(...NAMES),
  }),
);
const call = fc.record({
  kind: fc.constantFrom('completed' as const, 'skipped' as const),
  paths: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }),
  // From the list handed out (by position) rather than by name.
  handed: fc.array(fc.nat(20), { maxLength: 3 }),
  plan: fc.option(fc.constantFrom(...NAMES)),
  handOutAgain: fc.boolean(),
});
const round = fc.record({
  changes: fc.array(change, { maxLength: 5 }),
  calls: fc.array(call, { maxLength: 6 }),
  // Flush only part of the round: the rest dies with the process.
  flushAfter: fc.nat(6),
});

describe('several resumes of one lineage, against a model of the plan', () => {
  it('hands out, merges and finishes as a fresh reasoning says', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1 }),
        fc.array(round, { minLength: 1, maxLength: 5 }),
        (planned, rounds) => {
          const first = new FileLedger();
          first.plan(planned);
          const log = stored(first.unsavedEvents());
          let model = new Model();
          model.plan(planned);
          for (const r of rounds) {
            const ledger = FileLedger.load(log);
            ledger.verifyStored();
            ledger.markSaved();
            expect(mergeChanges(ledger, r.changes)).toEqual(model.merge(r.changes));
            let handed = ledger.handOutPending();
            expect(handed).toEqual(model.paths('pending'));
            const saved = new Model();
            saved.entries = model.entries.map((e) => ({ ...e }));
            let flushed = false;
            const flush = () => {
              log.push(...stored(ledger.unsavedEvents()));
              ledger.markSaved();
              saved.entries = model.entries.map((e) => ({ ...e }));
              flushed = true;
            };
            r.calls.forEach((c, i) => {
              if (i === r.flushAfter) flush();
              if (c.handOutAgain) {
                handed = ledger.handOutPending();
                expect(handed).toEqual(model.paths('pending'));
              }
              if (c.plan !== null && !model.find(c.plan)) {
                ledger.plan([c.plan]);
                model.plan([c.plan]);
              }
              const paths = [...c.handed.filter((h) => h < handed.length).map((h) => handed[h]!), ...c.paths];
              expect(ledger.finish(c.kind, paths)).toBe(model.finish(c.kind, paths));
              expect(ledger.counts()).toEqual({
                pending: model.paths('pending').length,
                completed: model.paths('completed').length,
                skipped: model.paths('skipped').length,
              });
            });
            if (r.flushAfter >= r.calls.length && !flushed) flush();
            for (const s of ['pending', 'completed', 'skipped'] as const)
              expect(ledger.pathsIn(s)).toEqual(model.paths(s));
            model = saved;
          }
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
