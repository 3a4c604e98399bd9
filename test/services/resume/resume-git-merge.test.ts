import fs from 'node:fs';
import path from 'node:path';
import { GitRepo } from '../../support/git-repo';
import { closeTestProgressStore, openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

/** A repository of 20 files, a sync interrupted with 8 indexed, and the store reopened. */
function interruptedSync() {
  const repo = new GitRepo(tmp.join('repo'));
  for (let i = 0; i < 20; i++)
    repo.write(`src/file-${String(i).padStart(2, '0')}.ts`, `export const v = ${i};\n`);
  const base = repo.commit('initial');
  const files = repo.files();
  const first = openTestProgressStore(tmp.join('store'));
  const sync = first.store.recording.startSync({ gitCommit: base, files });
  sync.update({
    phase: 'Indexing Files',
    percent: 45,
    phasePercent: 0,
    filesProcessed: 0,
    totalFiles: 20,
    rate: 0,
  });
  sync.completeFiles(files.slice(0, 8));
  sync.update({
    phase: 'Indexing Files',
    percent: 63,
    phasePercent: 40,
    filesProcessed: 8,
    totalFiles: 20,
    rate: 4,
  });
  closeTestProgressStore(first.store);
  return { repo, base, files, jobId: sync.jobId, clock: first.clock };
}

describe('resume merges what changed in git since the checkpoint', () => {
  it('adds new, modified and renamed-to files, removes deleted and renamed-from ones, skips the rest', () => {
    const { repo, files, jobId, clock } = interruptedSync();
    repo.write('src/file-00.ts', 'export const v = "changed";\n'); // indexed, modified
    repo.write('src/file-15.ts', 'export const v = "changed";\n'); // pending, modified
    fs.rmSync(path.join(repo.dir, 'src/file-01.ts')); // indexed, deleted
    fs.rmSync(path.join(repo.dir, 'src/file-16.ts')); // pending, deleted
    fs.mkdirSync(path.join(repo.dir, 'lib'));
    repo.git('mv', 'src/file-02.ts', 'lib/moved-02.ts'); // indexed, renamed
    repo.write('src/brand-new.ts', 'export const fresh = true;\n');
    const head = repo.commit('changes after the checkpoint');

    const { store } = openTestProgressStore(tmp.join('store'), { clock });
    const info = store.resume.checkResumable()!;
    expect(info).toMatchObject({ jobId, canResume: true, filesProcessed: 8, totalFiles: 20 });
    const { plan, sync } = store.resume.resume(jobId, { repoDir: repo.dir });

    const pendingBefore = files.slice(8).filter((f) => f !== 'src/file-16.ts');
    expect(plan.fullSyncRequired).toBe(false);
    expect(plan.toCommit).toBe(head);
    expect([...plan.filesToProcess].sort()).toEqual(
      [...pendingBefore, 'src/file-00.ts', 'lib/moved-02.ts', 'src/brand-new.ts'].sort(),
    );
    expect([...plan.filesToRemove].sort()).toEqual(['src/file-01.ts', 'src/file-02.ts']);
    expect(plan.filesSkipped).toBe(5); // 8 indexed, less modified, deleted and renamed
    expect(plan.startPhase).toBe('Indexing Files');
    expect(plan.skipPhases).toEqual(['Initializing', 'Git Fetch', 'Git Merge', 'Detecting Changes']);
    expect(sync.files).toEqual({ pending: plan.filesToProcess.length, completed: 5, skipped: 0 });
    expect(
      rows(store, 'SELECT git_commit, resumed_from_job_id FROM sync_history WHERE job_id = ?', plan.jobId),
    ).toEqual([{ git_commit: head, resumed_from_job_id: jobId }]);
  });

  it('requires a full sync, and says why, when history was rewritten', () => {
    const { repo, base, jobId, clock } = interruptedSync();
    repo.git('checkout', '-q', '--orphan', 'rewritten');
    repo.write('README.md', 'new history\n');
    repo.commit('rewritten root');
    repo.git('branch', '-q', '-D', 'main');
    const { store } = openTestProgressStore(tmp.join('store'), { clock });
    const { plan, sync } = store.resume.resume(jobId, { repoDir: repo.dir });
    expect(plan.fullSyncRequired).toBe(true);
    expect(plan.reason).toBe(
      `full sync required: the checkpoint's commit ${base} is not an ancestor of HEAD ${repo.head().slice(0, 12)} (history was rewritten)`,
    );
    expect(plan.filesToProcess).toEqual([]);
    expect(plan.startPhase).toBe('Initializing');
    expect(sync.files).toEqual({ pending: 0, completed: 0, skipped: 0 });
    expect(rows(store, 'SELECT status FROM sync_history WHERE job_id = ?', jobId)).toEqual([
      { status: 'interrupted' },
    ]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints WHERE job_id = ?', jobId)).toEqual([{ n: 0 }]);
  });

  it('requires a full sync when the commit no longer exists', () => {
    const { repo, jobId, clock } = interruptedSync();
    const other = new GitRepo(tmp.join('other'));
    other.write('x.txt', 'x');
    other.commit('unrelated');
    const { store } = openTestProgressStore(tmp.join('store'), { clock });
    const { plan } = store.resume.resume(jobId, { repoDir: other.dir });
    expect(plan.fullSyncRequired).toBe(true);
    expect(plan.reason).toMatch(/no longer exists/);
    void repo;
  });

  it("takes the caller's own name-status list instead of asking git", () => {
    const { files, jobId, clock } = interruptedSync();
    const { store } = openTestProgressStore(tmp.join('store'), { clock });
    const { plan } = store.resume.resume(jobId, {
      changes: [
        { status: 'M', path: files[0]! },
        { status: 'R', from: files[1]!, path: 'renamed.ts' },
        { status: 'C', from: files[2]!, path: 'copied.ts' },
      ],
      headCommit: 'feedface'.padEnd(40, '0'),
    });
    expect(plan.filesToRemove).toEqual([files[1]]);
    expect(plan.filesToProcess).toEqual(expect.arrayContaining([files[0], 'renamed.ts', 'copied.ts']));
    expect(plan.filesSkipped).toBe(6);
    expect(plan.toCommit).toBe('feedface'.padEnd(40, '0'));
  });
});

describe('names git can produce that need care', () => {
  const odd = [
    'new\nline.ts',
    '\ttab start.ts',
    '-leading-dash.md',
    'quo"te\'s.js',
    'back\\slash.c',
    'dir with space/\u00e9.ts',
  ];

  it('records, resumes and merges names with newlines, tabs, quotes and leading dashes', () => {
    const repo = new GitRepo(tmp.join('repo'));
    for (const name of odd) repo.write(name, `${JSON.stringify(name)}\n`);
    repo.write('plain.ts', 'x\n');
    const base = repo.commit('odd names');
    const files = repo.files();
    expect(files.sort()).toEqual([...odd, 'plain.ts'].sort());
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ gitCommit: base, files });
    sync.completeFiles(['new\nline.ts', '\ttab start.ts', 'quo"te\'s.js']);
    sync.flush();
    closeTestProgressStore(first.store);

    repo.git('mv', '--', 'new\nline.ts', 'renamed\nwith\tboth.ts'); // completed, renamed
    repo.write('\ttab start.ts', 'changed\n'); // completed, modified
    fs.rmSync(path.join(repo.dir, '-leading-dash.md')); // pending, deleted
    const head = repo.commit('after');

    const { store, warnings } = openTestProgressStore(tmp.join('store'), { clock: first.clock });
    const { plan } = store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(plan).toMatchObject({ fullSyncRequired: false, toCommit: head, filesSkipped: 1 });
    expect([...plan.filesToProcess].sort()).toEqual(
      [
        '\ttab start.ts',
        'back\\slash.c',
        'dir with space/\u00e9.ts',
        'plain.ts',
        'renamed\nwith\tboth.ts',
      ].sort(),
    );
    expect(plan.filesToRemove).toEqual(['new\nline.ts']);
    expect(warnings).toEqual([]);
  });

  it('leaves out names that are not valid UTF-8, with one warning naming how many', () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a\n');
    repo.write('b.ts', 'b\n');
    const base = repo.commit('initial');
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ gitCommit: base, files: ['a.ts', 'b.ts'] });
    sync.completeFiles(['a.ts', 'b.ts']);
    sync.flush();
    closeTestProgressStore(first.store);

    const latin1 = (name: string) =>
      Buffer.concat([Buffer.from(repo.dir + path.sep), Buffer.from(name, 'latin1')]);
    fs.writeFileSync(latin1('caf\u00e9.ts'), 'not utf-8\n'); // a Latin-1 name: byte 0xE9 alone
    fs.renameSync(path.join(repo.dir, 'a.ts'), latin1('\u00e0.ts')); // renamed to an unreadable name
    repo.write('c.ts', 'c\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'latin-1 names');

    const { store, warnings } = openTestProgressStore(tmp.join('store'), { clock: first.clock });
    const { plan } = store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(plan.fullSyncRequired).toBe(false);
    expect(plan.filesToProcess).toEqual(['c.ts']);
    // The readable side of the rename still leaves the index.
    expect(plan.filesToRemove).toEqual(['a.ts']);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_PATHS',
        message: expect.stringMatching(/: 2 not valid UTF-8$/),
      }),
    ]);
  });

  it('leaves out names the path rules refuse (a Linux name that escapes on Windows), instead of throwing', () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a\n');
    const base = repo.commit('initial');
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ gitCommit: base, files: ['a.ts'] });
    sync.flush();
    closeTestProgressStore(first.store);

    repo.write('x\\..\\..\\etc\\passwd', 'a legal name on Linux\n');
    repo.write('b.ts', 'b\n');
    repo.commit('a name that would escape on Windows');

    const { store, warnings } = openTestProgressStore(tmp.join('store'), { clock: first.clock });
    const { plan } = store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(plan.fullSyncRequired).toBe(false);
    expect([...plan.filesToProcess].sort()).toEqual(['a.ts', 'b.ts']);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_PATHS',
        message: expect.stringMatching(/: 1 refused by the path rules/),
      }),
    ]);
  });

  it('names both kinds in one warning when names are unreadable and refused', () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a\n');
    const base = repo.commit('initial');
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ gitCommit: base, files: ['a.ts'] });
    sync.flush();
    closeTestProgressStore(first.store);

    fs.writeFileSync(
      Buffer.concat([Buffer.from(repo.dir + path.sep), Buffer.from('caf\u00e9.ts', 'latin1')]),
      'x\n',
    );
    repo.write('x\\..\\..\\etc\\passwd', 'a legal name on Linux\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'both kinds of names');

    const { store, warnings } = openTestProgressStore(tmp.join('store'), { clock: first.clock });
    store.resume.resume(sync.jobId, { repoDir: repo.dir });
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_PATHS',
        message:
          'file names changed since the checkpoint were left out of the plan: 1 not valid UTF-8, ' +
          '1 refused by the path rules (they would name another place on Windows)',
      }),
    ]);
  });
});
