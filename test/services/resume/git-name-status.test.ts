import fs from 'node:fs';
import path from 'node:path';
import { parseNameStatus } from '../../../src/services/resume/git-changes';
import { GitRepo } from '../../support/git-repo';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** Every kind of change git's name-status list reports is either merged into the plan or passed over. */
const tmp = useTempDir();

describe('changes since the checkpoint', () => {
  it('index again a file whose type changed (a file replaced by a link)', () => {
    const repo = new GitRepo(tmp.join('repo'));
    for (let i = 0; i < 4; i++) repo.write(`src/f${i}.ts`, `export const v = ${i};\n`);
    const base = repo.commit('initial');
    const files = repo.files();
    const first = openTestProgressStore(tmp.join('store'));
    const sync = first.store.recording.startSync({ jobId: 'typed', gitCommit: base, files });
    sync.completeFiles(files.slice(0, 3));
    sync.flush();
    closeTestProgressStore(first.store);

    fs.rmSync(path.join(repo.dir, 'src/f0.ts'));
    fs.symlinkSync('f1.ts', path.join(repo.dir, 'src/f0.ts'));
    repo.commit('f0 becomes a link');
    expect(repo.git('diff', '--name-status', base, 'HEAD')).toBe('T\tsrc/f0.ts');

    const { store } = openTestProgressStore(tmp.join('store'));
    const { plan } = store.resume.resume('typed', { repoDir: repo.dir });
    expect(plan).toMatchObject({ fullSyncRequired: false, filesSkipped: 2, filesToRemove: [] });
    expect([...plan.filesToProcess].sort()).toEqual(['src/f0.ts', 'src/f3.ts']);
  });

  it('passes over unmerged and unknown entries, reading every field after them in step', () => {
    // Names that begin with a status letter: a parser one field out of step would read them
    // as statuses (a rename of the Dockerfile would also delete its new place).
    const output = [
      'U',
      'Makefile',
      'X',
      'Dockerfile.orig',
      'M',
      'kept.ts',
      'R087',
      'Dockerfile',
      'docker/Dockerfile',
      'A',
      'added.ts',
      '',
    ].join('\0');
    expect(parseNameStatus(Buffer.from(output))).toEqual({
      changes: [
        { status: 'M', path: 'kept.ts' },
        { status: 'R', from: 'Dockerfile', path: 'docker/Dockerfile' },
        { status: 'A', path: 'added.ts' },
      ],
      unreadable: 0,
      refused: 0,
    });
  });
});
