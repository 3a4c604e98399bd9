import { DatabaseLockedError, NotFoundError, ValidationError } from '../../../src';
import { childScript, startChild } from '../../support/child-process';
import { openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { thrownBy } from '../../support/thrown-by';

/** What resume() says when it cannot act, and that it leaves the sync resumable. */
const tmp = useTempDir();
const COMMIT = 'c'.repeat(40);
const FILES = repoPaths(6);

function failedSync(jobId: string, lockTimeoutMs?: number) {
  const opened = openTestProgressStore(tmp.path, lockTimeoutMs === undefined ? {} : { lockTimeoutMs });
  const sync = opened.store.recording.startSync({ jobId, gitCommit: COMMIT, files: FILES });
  sync.completeFiles(FILES.slice(0, 2));
  sync.fail('boom');
  return opened;
}

describe('resume() refusals', () => {
  it('names the resume and its job id when another process holds the write lock, and the sync stays resumable', async () => {
    const { store } = failedSync('held', 100);
    const holder = startChild(childScript('hold-write-lock.js'), [store.path, 'until-told']);
    await holder.waitForLine('locked');
    let error: Error;
    try {
      error = thrownBy(() => store.resume.resume('held'));
    } finally {
      holder.send('done');
    }
    await holder.exited;
    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect(error.message).toMatch(/^resume held: /);
    expect(rows(store, 'SELECT job_id AS jobId, status FROM sync_history')).toEqual([
      { jobId: 'held', status: 'failed' },
    ]);

    const { plan } = store.resume.resume('held');
    expect(plan).toMatchObject({ fullSyncRequired: false, filesSkipped: 2 });
  });

  it('says which call refused a job id or a source that is not valid', () => {
    const { store } = failedSync('valid');
    const badJobId = thrownBy(() => store.resume.resume(''));
    expect(badJobId).toBeInstanceOf(ValidationError);
    expect(badJobId.message).toMatch(/^resume: /);
    const badSource = thrownBy(() => store.resume.resume('valid', { repoDir: 42 } as never));
    expect(badSource).toBeInstanceOf(ValidationError);
    expect(badSource.message).toMatch(/^resume: /);
  });

  it('names the job id it cannot find', () => {
    const { store } = failedSync('present');
    const error = thrownBy(() => store.resume.resume('absent'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('no sync with job id absent');
  });
});
