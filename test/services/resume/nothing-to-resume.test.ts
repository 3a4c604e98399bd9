import { ConflictError } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import { openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { thrownBy } from '../../support/thrown-by';

/** A sync that ended for good (completed, or interrupted and given up) is never resumed. */
const tmp = useTempDir();
const COMMIT = 'e'.repeat(40);

describe('resume() of a sync with nothing left to resume', () => {
  it('refuses a completed sync with a conflict, and records nothing', () => {
    const { store } = openTestProgressStore(tmp.path);
    const files = repoPaths(3);
    const sync = store.recording.startSync({ jobId: 'done', gitCommit: COMMIT, files });
    sync.completeFiles(files);
    sync.finish();

    const error = thrownBy(() => store.resume.resume('done'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('sync done is completed; there is nothing to resume');
    expect(rows(store, 'SELECT job_id AS jobId, status FROM sync_history')).toEqual([
      { jobId: 'done', status: 'completed' },
    ]);
  });

  it('refuses a sync already given up as interrupted', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { staleAfterMs: 60_000 });
    store.recording.startSync({ jobId: 'orphan', gitCommit: COMMIT, files: repoPaths(4) }).flush();
    handEdit(
      store.path,
      "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1 WHERE job_id = 'orphan'",
    );
    clock.advance(61_000);
    store.recording.startSync({ jobId: 'newer', gitCommit: COMMIT, files: repoPaths(4) }).fail('boom');
    store.resume.resume('newer');

    const error = thrownBy(() => store.resume.resume('orphan'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('sync orphan is interrupted; there is nothing to resume');
  });
});
