import fs from 'node:fs';
import path from 'node:path';
import { childScript, startChild } from '../support/child-process';
import { GitRepo } from '../support/git-repo';
import { openTestProgressStore } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

/**
 * A file name with a newline, a tab and a leading dash, as git can hold it, goes through
 * the whole cycle: recorded by a real process, which is SIGKILLed; the file is renamed in
 * git; the sync is resumed against the repository and the rename merged into the plan.
 */
const tmp = useTempDir();
const ODD = '-odd\nname\twith tab.ts';
const RENAMED = 'moved/-still\nodd\t.ts';

describe('a path with a newline, a tab and a leading dash', () => {
  it('is recorded, survives SIGKILL, and resumes with its rename merged', async () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write(ODD, 'export const odd = 1;\n');
    for (let i = 0; i < 5; i++) repo.write(`src/file-${i}.ts`, `export const v = ${i};\n`);
    repo.commit('initial');
    expect(repo.files()).toContain(ODD);

    const dir = tmp.join('store');
    const child = startChild(childScript('record-git-sync.js'), [
      dir,
      'acme-api',
      repo.dir,
      'odd-job',
      ODD,
      'src/file-0.ts',
    ]);
    await child.waitForLine('checkpointed 2');
    child.process.kill('SIGKILL');
    const result = await child.exited;
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toBe('');

    fs.mkdirSync(path.join(repo.dir, 'moved'));
    repo.git('mv', '--', ODD, RENAMED);
    repo.write('src/file-3.ts', 'export const v = "changed";\n');
    const head = repo.commit('rename the odd file');

    const { store, warnings } = openTestProgressStore(dir);
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'odd-job',
      canResume: true,
      filesProcessed: 2,
      totalFiles: 6,
    });
    const { plan, sync } = store.resume.resume('odd-job', { repoDir: repo.dir });
    expect(plan).toMatchObject({ fullSyncRequired: false, toCommit: head, filesSkipped: 1 });
    expect(plan.filesToRemove).toEqual([ODD]);
    expect([...plan.filesToProcess].sort()).toEqual(
      [RENAMED, 'src/file-1.ts', 'src/file-2.ts', 'src/file-3.ts', 'src/file-4.ts'].sort(),
    );

    // The resumed sync records the new name like any other, across a second checkpoint and resume.
    sync.completeFiles([RENAMED]);
    expect(sync.flush()).toBe(true);
    sync.release();
    const again = store.resume.resume(plan.jobId);
    expect(again.plan.fullSyncRequired).toBe(false);
    expect(again.plan.filesToProcess).not.toContain(RENAMED);
    expect(again.plan.filesSkipped).toBe(2);
    again.sync.finish();
    expect(warnings).toEqual([]);
  });
});
