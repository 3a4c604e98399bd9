import BetterSqlite3 from 'better-sqlite3';
import { openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** A failed or cancelled sync is offered only while it has a checkpoint (or a damaged one to explain). */
const tmp = useTempDir();

describe('a failed sync', () => {
  it('is no longer offered once its checkpoint is given up', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'failed', files: repoPaths(3) }).fail('Network timeout');
    expect(store.resume.checkResumable()?.jobId).toBe('failed');
    store.resume.startFresh('failed');
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('with a damaged checkpoint is offered as not resumable, with the reason', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'failed', files: repoPaths(3) }).fail('Network timeout');
    const db = new BetterSqlite3(store.path);
    try {
      db.exec('UPDATE checkpoints SET metadata = \'{"metrics": "garbage"}\'');
    } finally {
      db.close();
    }
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'failed',
      status: 'failed',
      canResume: false,
      reason: expect.stringMatching(/damaged/),
    });
  });
});
