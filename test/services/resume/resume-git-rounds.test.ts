import { GitRepo } from '../../support/git-repo';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

// Two resumes from a real repository, the second merging a change to a file of a list row
// all finished (checked on its bytes, never decoded): the merge finds it by its length in
// bytes, a name of the same length in characters (aé.ts beside ab.ts) being another file.
const tmp = useTempDir();

describe('two resumes from a real repository, names alike in bytes but not in characters', () => {
  it('merges each round into the plan a fresh reasoning gives', () => {
    const repo = new GitRepo(tmp.join('repo'));
    // aé.ts and éa.ts: 6 bytes, 5 characters; abc.ts: 6 and 6; ab.ts: 5 and 5.
    for (const name of ['aé.ts', 'éa.ts', 'abc.ts', 'ab.ts', 'src/x.ts', 'src/y.ts']) repo.write(name, name);
    const base = repo.commit('initial');
    const files = repo.files();
    let opened = openTestProgressStore(tmp.join('store'));
    let sync = opened.store.recording.startSync({ gitCommit: base, files });
    sync.completeFiles(['aé.ts', 'abc.ts', 'src/x.ts']);
    sync.flush();
    closeTestProgressStore(opened.store);

    repo.write('aé.ts', 'changed'); // completed: back to pending
    repo.git('mv', 'abc.ts', 'ñ.ts'); // completed: removed, its new name planned
    repo.git('rm', '-q', 'ab.ts'); // pending: out of the plan
    repo.write('éb.ts', 'new');
    repo.commit('round 1');
    opened = openTestProgressStore(tmp.join('store'));
    let resumed = opened.store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(resumed.plan).toMatchObject({ fullSyncRequired: false, filesToRemove: ['abc.ts'] });
    const pending1 = files.filter((f) => ['aé.ts', 'éa.ts', 'src/y.ts'].includes(f));
    expect(resumed.plan.filesToProcess.slice(0, 3)).toEqual(pending1);
    expect(resumed.plan.filesToProcess.slice(3).sort()).toEqual(['éb.ts', 'ñ.ts']);
    sync = resumed.sync;
    // The second list row (ñ.ts, éb.ts) all finished: the next resume checks it on its bytes, never decodes it.
    sync.completeFiles(['éa.ts', 'ñ.ts', 'éb.ts']);
    sync.completeFiles(['éa.ts', 'src/x.ts']); // both finished already: passed over
    expect(sync.files).toEqual({ pending: 2, completed: 4, skipped: 0 });
    sync.flush();
    closeTestProgressStore(opened.store);

    repo.write('éa.ts', 'changed again'); // completed in the resumed sync: pending again
    repo.write('éb.ts', 'changed'); // in the row not decoded: found by its length in bytes
    repo.git('rm', '-q', 'aé.ts'); // pending: out
    repo.git('mv', 'src/x.ts', 'ab.ts'); // completed, renamed to a name deleted the round before
    repo.commit('round 2');
    opened = openTestProgressStore(tmp.join('store'));
    resumed = opened.store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(resumed.plan).toMatchObject({ fullSyncRequired: false, filesToRemove: ['src/x.ts'] });
    expect(new Set(resumed.plan.filesToProcess)).toEqual(new Set(['éa.ts', 'src/y.ts', 'éb.ts', 'ab.ts']));
    expect(resumed.plan.filesToProcess).toHaveLength(4);
    expect(resumed.sync.files).toEqual({ pending: 4, completed: 1, skipped: 0 });
    resumed.sync.completeFiles(resumed.plan.filesToProcess);
    expect(resumed.sync.files).toEqual({ pending: 0, completed: 5, skipped: 0 });
  });
});
