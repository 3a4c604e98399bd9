import { handEdit } from '../../support/hand-edit';
import { openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** Only the latest checkpoint counts: resuming a sync gives up the incomplete syncs before it, and only those. */
const tmp = useTempDir();
const COMMIT = 'd'.repeat(40);

function checkpointed(): string[] {
  return rows<{ jobId: string }>(store(), 'SELECT job_id AS jobId FROM checkpoints ORDER BY job_id').map(
    (r) => r.jobId,
  );
}
let current: ReturnType<typeof openTestProgressStore>;
const store = () => current.store;

function statusOf(jobId: string): string {
  return rows<{ status: string }>(store(), 'SELECT status FROM sync_history WHERE job_id = ?', jobId)[0]!
    .status;
}

beforeEach(() => {
  current = openTestProgressStore(tmp.path, { staleAfterMs: 60_000 });
});

function failed(jobId: string): void {
  store()
    .recording.startSync({ jobId, gitCommit: COMMIT, files: repoPaths(4) })
    .fail('boom');
}

describe('resume() gives up older incomplete syncs', () => {
  it('drops the checkpoint of an older failed sync and keeps its outcome', () => {
    failed('older');
    // Whoever recorded it, and however alive they look: a sync that ended is given up.
    handEdit(
      store().path,
      "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1 WHERE job_id = 'older'",
    );
    failed('newer');
    const { sync } = store().resume.resume('newer');
    expect(checkpointed()).toEqual([sync.jobId].sort());
    expect(statusOf('older')).toBe('failed');
  });

  it('keeps the checkpoint of a newer incomplete sync when an older one is resumed', () => {
    failed('older');
    failed('newer');
    store().resume.resume('older');
    expect(checkpointed()).toContain('newer');
    expect(statusOf('newer')).toBe('failed');
  });

  it('records an older sync left running by a process that is gone as interrupted, and drops its checkpoint', () => {
    store()
      .recording.startSync({ jobId: 'orphan', gitCommit: COMMIT, files: repoPaths(4) })
      .flush();
    handEdit(
      store().path,
      "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1 WHERE job_id = 'orphan'",
    );
    current.clock.advance(61_000);
    failed('newer');
    store().resume.resume('newer');
    expect(statusOf('orphan')).toBe('interrupted');
    // It ended when it last showed life, not when someone noticed.
    expect(
      rows(
        store(),
        "SELECT end_time = last_activity_at AS atLastSign FROM sync_history WHERE job_id = 'orphan'",
      ),
    ).toEqual([{ atLastSign: 1 }]);
    expect(checkpointed()).not.toContain('orphan');
  });

  it('leaves an older sync whose process is still running alone', () => {
    store()
      .recording.startSync({ jobId: 'alive', gitCommit: COMMIT, files: repoPaths(4) })
      .flush();
    handEdit(
      store().path,
      "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1 WHERE job_id = 'alive'",
    );
    failed('newer');
    store().resume.resume('newer');
    expect(statusOf('alive')).toBe('running');
    expect(checkpointed()).toContain('alive');
  });
});
