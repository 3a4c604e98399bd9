import path from 'node:path';
import { changesSince } from '../../../src/services/resume/git-changes';
import { UnusableCommitError } from '../../../src/untrusted-checkpoint';
import { childScript, REPO_ROOT, runCommand } from '../../support/child-process';
import { GitRepo } from '../../support/git-repo';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();
const GONE = 'f'.repeat(40);

/**
 * resume() asks git whether the checkpoint's commit still exists; when it does not, git
 * says "fatal: …" on its stderr. That is an answer, not an error for the caller's terminal:
 * the plan's reason says it. Git's stderr is the caller's only through the reason.
 */
describe("git's complaints while resuming", () => {
  it('are not printed on the stderr of the process that resumes', async () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('a.ts', 'a');
    repo.commit('initial');
    // In this process first, so the question is known to reach git at all.
    expect(() => changesSince(repo.dir, GONE)).toThrow(UnusableCommitError);

    const module = path.join(REPO_ROOT, 'src', 'services', 'resume', 'git-changes');
    const script = [
      `const { changesSince } = require(${JSON.stringify(module)});`,
      `try { changesSince(${JSON.stringify(repo.dir)}, '${GONE}'); }`,
      'catch (error) { console.log(error.message); }',
    ].join('\n');
    const result = await runCommand(process.execPath, ['-r', childScript('register-ts.js'), '-e', script]);

    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`the checkpoint's commit ${GONE} no longer exists in the repository`);
    expect(result.stderr).toBe('');
  });
});
