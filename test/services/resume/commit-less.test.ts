import { renderResumeDetails, renderResumePrompt } from '../../../src';
import { GitRepo } from '../../support/git-repo';
import {
  closeTestProgressStore,
  indexToStoryPoint,
  openTestProgressStore,
  repoPaths,
  rows,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

/**
 * A sync recorded without `gitCommit` (10 files, 4 indexed) that stopped the way `how`
 * says: its process let go of it (`interrupted`), or it failed.
 */
function commitLessSync(how: 'interrupted' | 'failed') {
  const first = openTestProgressStore(tmp.join('store'));
  const sync = first.store.recording.startSync({ jobId: 'no-commit', files: repoPaths(10) });
  indexToStoryPoint(sync);
  if (how === 'failed') sync.fail({ message: 'Network timeout', code: 'ETIMEDOUT' });
  closeTestProgressStore(first.store);
  return openTestProgressStore(tmp.join('store'), { clock: first.clock });
}

const NO_COMMIT =
  /no git commit was recorded with this sync, so the changes made since it stopped cannot be merged/;

describe('a sync recorded without a git commit', () => {
  it.each(['interrupted', 'failed'] as const)(
    '(%s) is not offered as resumable: checkResumable says why and that a full sync is required',
    (how) => {
      const { store } = commitLessSync(how);
      const info = store.resume.checkResumable()!;
      expect(info).toMatchObject({
        jobId: 'no-commit',
        status: how,
        canResume: false,
        gitCommit: null,
        reason: expect.stringMatching(NO_COMMIT),
      });
      const prompt = renderResumePrompt(info).split('\n');
      expect(prompt).toContain('  [R]esume (not available)');
      expect(prompt).toContain('  [S]tart fresh sync (recommended)');
      expect(prompt.find((line) => line.includes('Cannot resume'))).toMatch(NO_COMMIT);
      expect(prompt.find((line) => line.includes('Cannot resume'))).toMatch(/A full sync is required\./);
      expect(renderResumeDetails(info)).toMatch(
        /Resume: not possible \(no git commit was recorded with this sync, .*\); a full sync is required/,
      );
    },
  );

  it.each(['interrupted', 'failed'] as const)(
    '(%s) resumed with a repoDir: a full sync, and the old sync ends interrupted and counts so in metrics',
    (how) => {
      const repo = new GitRepo(tmp.join('repo'));
      repo.write('src/a.ts', 'export const a = 1;\n');
      repo.commit('initial');
      const { store, clock } = commitLessSync(how);
      const { plan, sync } = store.resume.resume('no-commit', { repoDir: repo.dir });
      expect(plan).toMatchObject({
        fullSyncRequired: true,
        filesToProcess: [],
        filesSkipped: 0,
        fromCommit: null,
      });
      expect(plan.reason).toMatch(/^full sync required: /);
      expect(plan.reason).toMatch(NO_COMMIT);
      expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'no-commit'")).toEqual([
        { status: 'interrupted' },
      ]);
      expect(rows(store, "SELECT count(*) AS n FROM checkpoints WHERE job_id = 'no-commit'")).toEqual([
        { n: 0 },
      ]);
      sync.finish();
      clock.advance(1000);
      const report = store.metrics.report();
      if (report.empty) throw new Error('expected a report');
      // Two syncs: the abandoned one (interrupted, not failed) and the full one that completed.
      expect(report.success).toMatchObject({ syncs: 2, succeeded: 1, failed: 0, interrupted: 1 });
      expect(store.resume.checkResumable()).toBeNull();
    },
  );

  it('resumed without a source (the caller vouches that nothing changed) continues from the checkpoint', () => {
    const { store } = commitLessSync('interrupted');
    const { plan } = store.resume.resume('no-commit');
    expect(plan).toMatchObject({ fullSyncRequired: false, reason: null, filesSkipped: 4 });
    expect(plan.filesToProcess).toEqual(repoPaths(10).slice(4));
  });
});

describe('a failed sync whose checkpoint cannot be trusted', () => {
  it('ends interrupted when a resume starts over, like any abandoned sync', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({
      jobId: 'damaged',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files: repoPaths(3),
    });
    sync.fail('Network timeout');
    const db = new (require('better-sqlite3'))(store.path);
    db.prepare('UPDATE checkpoints SET files_completed = files_completed + 1').run();
    db.close();
    const { plan } = store.resume.resume('damaged');
    expect(plan.fullSyncRequired).toBe(true);
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'damaged'")).toEqual([
      { status: 'interrupted' },
    ]);
  });
});
