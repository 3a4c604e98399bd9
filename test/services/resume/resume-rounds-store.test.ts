import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import type { FileChange } from '../../../src/services/resume/git-changes';

// Through the public API: a plan of two list rows (more than PATHS_PER_ROW files) and more
// pending files than the ledger indexes at a time, resumed three times with changes that
// rename, delete and re-add finished and pending files, finished out of order and in
// batches, with the work after the last flush lost each round. Existing store tests resume
// once; this checks each round's plan, in order, against a Map of path to state.
const tmp = useTempDir();
const commit = (n: number) => String(n).padStart(40, 'a');

describe('three resumes of one lineage through the store, with changes each time', () => {
  it('hands out what a fresh reasoning of the plan says', () => {
    const all = repoPaths(12_500);
    const state = new Map<string, 'pending' | 'completed' | 'skipped'>(all.map((p) => [p, 'pending']));
    const pending = () => [...state].filter(([, s]) => s === 'pending').map(([p]) => p);
    let opened = openTestProgressStore(tmp.path);
    let sync = opened.store.recording.startSync({ jobId: 'job-0', gitCommit: commit(0), files: all });
    const finish = (kind: 'completed' | 'skipped', paths: string[]) => {
      if (kind === 'completed') sync.completeFiles(paths);
      else sync.skipFiles(paths);
      for (const p of paths) if (state.get(p) === 'pending' || !state.has(p)) state.set(p, kind);
    };
    finish('completed', all.slice(0, 3_000));
    sync.flush();
    closeTestProgressStore(opened.store);

    let jobId = 'job-0';
    for (let round = 1; round <= 3; round++) {
      const done = [...state].filter(([, s]) => s !== 'pending').map(([p]) => p);
      const waiting = pending();
      const renamedTo = `src/ré-${round}.ts`;
      const changes: FileChange[] = [
        { status: 'M', path: done[round * 7]! },
        { status: 'M', path: done[round * 7]! }, // named twice
        { status: 'D', path: waiting[round]! },
        { status: 'R', from: done[round * 11]!, path: renamedTo },
        { status: 'R', from: waiting[5]!, path: done[round * 13]! },
        { status: 'A', path: `src/ñ-${round}.ts` },
        { status: 'D', path: done[round * 17]! },
        { status: 'A', path: done[round * 17]! }, // deleted, then added again
      ];
      // A fresh reasoning of the same changes, in order.
      for (const c of changes) {
        const gone = c.status === 'D' ? c.path : c.status === 'R' ? c.from : null;
        if (gone !== null) state.delete(gone);
        if (c.status !== 'D') {
          state.set(c.path, 'pending');
        }
      }
      opened = openTestProgressStore(tmp.path);
      const resumed = opened.store.resume.resume(jobId, { changes, headCommit: commit(round) });
      expect(resumed.plan.fullSyncRequired).toBe(false);
      // A Map keeps a key's place when set again and puts a deleted key back at the end: plan order.
      expect(resumed.plan.filesToProcess).toEqual(pending());
      sync = resumed.sync;
      jobId = resumed.plan.jobId;
      const handed = resumed.plan.filesToProcess;
      // Parallel workers: out of order, some twice, one batch with a finished file in it.
      finish('completed', handed.slice(100, 1_600).reverse());
      for (const p of handed.slice(0, 50)) finish('skipped', [p]);
      finish('completed', handed.slice(40, 60));
      finish('completed', [handed[2_000]!, handed[2_000]!]);
      finish('completed', [handed[2_001]!, done[0]!]);
      sync.flush();
      finish('completed', handed.slice(3_000, 3_100)); // not flushed: lost with the process
      for (const p of handed.slice(3_000, 3_100)) state.set(p, 'pending');
      sync.abandon();
      closeTestProgressStore(opened.store);
    }
    opened = openTestProgressStore(tmp.path);
    const last = opened.store.resume.resume(jobId, { changes: [], headCommit: commit(9) });
    expect(last.plan.filesToProcess).toEqual(pending());
    expect(last.sync.files).toEqual({
      pending: pending().length,
      completed: [...state.values()].filter((s) => s === 'completed').length,
      skipped: [...state.values()].filter((s) => s === 'skipped').length,
    });
  });
});
