import { hostname } from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import { ConflictError, NotFoundError } from '../../../src';
import {
  closeTestProgressStore,
  indexToStoryPoint,
  openTestProgressStore,
  repoPaths,
  rows,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { checksum, encodeOrdinals } from '../../../src/repositories/file-log-codec';

const tmp = useTempDir();
const HOUR = 3_600_000;

/** Start a sync with 10 files, complete `done` of them, and close the store (the owner goes away). */
function interrupt(done = 4, jobId = 'job-1') {
  const opened = openTestProgressStore(tmp.path);
  const sync = opened.store.recording.startSync({
    jobId,
    gitCommit: 'abc1234'.padEnd(40, '0'),
    files: repoPaths(10),
  });
  indexToStoryPoint(sync, done);
  closeTestProgressStore(opened.store);
  return opened.clock;
}

function execSql(path: string, sql: string, ...params: unknown[]) {
  const db = new BetterSqlite3(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('checkResumable', () => {
  it('is null for a project with no syncs, and for one whose last sync completed', () => {
    const { store } = openTestProgressStore(tmp.path);
    expect(store.resume.checkResumable()).toBeNull();
    store.recording.startSync().finish();
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('describes an interrupted sync as the prompt needs it', () => {
    const clock = interrupt(4);
    clock.advance(15 * 60_000);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'job-1',
      status: 'interrupted',
      progress: 67,
      phase: 'Indexing Files',
      filesProcessed: 4,
      totalFiles: 10,
      filesRemaining: 6,
      gitCommit: 'abc1234'.padEnd(40, '0'),
      estimatedTime: 3000, // 6 files left at 2 files/s
      canResume: true,
      reason: null,
    });
  });

  it('never offers a sync still running in a live process', () => {
    const { store } = openTestProgressStore(tmp.path);
    const running = store.recording.startSync({ files: repoPaths(2) });
    expect(store.resume.checkResumable()).toBeNull();
    expect(() => store.resume.resume(running.jobId)).toThrow(ConflictError);
    // The message names who holds it, so a person can find that process.
    expect(() => store.resume.resume(running.jobId)).toThrow(
      `sync ${running.jobId} is still running in process ${process.pid} on ${hostname()}`,
    );
    expect(() => store.resume.startFresh(running.jobId)).toThrow(ConflictError);
  });

  it('counts the 24-hour window from the last activity', () => {
    const clock = interrupt();
    clock.advance(24 * HOUR - 1);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()).not.toBeNull();
    clock.advance(2);
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('offers a sync after the wall clock was set back', () => {
    const clock = interrupt();
    clock.jumpWall(-2 * HOUR);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()?.jobId).toBe('job-1');
  });

  it('treats a sync of another host as interrupted once its heartbeat is stale', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { staleAfterMs: 60_000 });
    store.recording.startSync({ jobId: 'remote' });
    execSql(store.path, "UPDATE sync_history SET owner_host = 'other-host', owner_pid = 1");
    clock.advance(59_000);
    expect(store.resume.checkResumable()).toBeNull();
    clock.advance(2_000);
    expect(store.resume.checkResumable()?.jobId).toBe('remote');
  });

  it('counts skipped files as processed, and in the total', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 's', gitCommit: 'e'.repeat(40), files: repoPaths(6) });
    sync.completeFiles(repoPaths(6).slice(0, 2));
    sync.skipFiles(repoPaths(6).slice(2, 3));
    sync.fail('Network timeout');
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 's',
      filesProcessed: 3,
      totalFiles: 6,
      filesRemaining: 3,
    });
  });

  it('offers a failed or cancelled sync that kept its checkpoint', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording
      .startSync({ jobId: 'f', gitCommit: 'abc1234'.padEnd(40, '0'), files: repoPaths(3) })
      .fail('Network timeout');
    expect(store.resume.checkResumable()).toMatchObject({ jobId: 'f', status: 'failed', canResume: true });
  });

  it('offers a failed sync whose process is still alive (a server that carries on after a failure)', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording
      .startSync({ jobId: 'served', gitCommit: 'abc1234'.padEnd(40, '0'), files: repoPaths(3) })
      .fail('Network timeout');
    // Another live process of this host, with a fresh heartbeat: only a running sync of it is left alone.
    execSql(store.path, "UPDATE sync_history SET owner_pid = ? WHERE job_id = 'served'", process.ppid);
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'served',
      status: 'failed',
      canResume: true,
    });
  });

  it('lets a later finished sync supersede an interrupted one', () => {
    const clock = interrupt();
    const { store } = openTestProgressStore(tmp.path, { clock });
    store.recording.startSync({ jobId: 'later' }).finish();
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('reports a damaged checkpoint as not resumable, with the reason', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    execSql(store.path, 'UPDATE checkpoints SET metadata = \'{"metrics": "garbage"}\'');
    expect(store.resume.checkResumable()).toMatchObject({
      canResume: false,
      reason: expect.stringMatching(/damaged/),
    });
    const { plan } = store.resume.resume('job-1');
    expect(plan).toMatchObject({ fullSyncRequired: true, reason: expect.stringMatching(/damaged/) });
  });

  it('never trusts a checkpoint whose counts do not match its file log', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    execSql(store.path, 'UPDATE checkpoints SET files_completed = files_completed + 1');
    const { plan } = store.resume.resume('job-1');
    expect(plan.fullSyncRequired).toBe(true);
    expect(plan.reason).toMatch(/do not match its file log/);
  });

  it('never trusts a file log that contradicts itself', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    const data = encodeOrdinals([999]);
    execSql(
      store.path,
      "INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum) VALUES ('job-1', 'job-1', 9, 'completed', 0, 1, ?, ?)",
      data,
      checksum(data),
    );
    expect(store.resume.resume('job-1').plan).toMatchObject({
      fullSyncRequired: true,
      reason: expect.stringMatching(/ordinal 999 was never planned/),
    });
  });

  it('never trusts a file log whose paths were edited since they were written', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    execSql(
      store.path,
      "UPDATE checkpoint_files SET data = CAST(replace(CAST(data AS TEXT), 'src/', '/et') AS BLOB) WHERE kind = 'planned'",
    );
    expect(store.resume.resume('job-1').plan).toMatchObject({
      fullSyncRequired: true,
      reason: expect.stringMatching(/does not match its checksum/),
    });
  });
});

describe('resume and startFresh', () => {
  it('resumes once: the old sync is marked resumed and a second attempt is a conflict', () => {
    interrupt(4);
    const { store } = openTestProgressStore(tmp.path);
    const { plan, sync } = store.resume.resume('job-1');
    expect(plan).toMatchObject({
      resumedJobId: 'job-1',
      jobId: sync.jobId,
      filesSkipped: 4,
      fullSyncRequired: false,
    });
    expect(plan.filesToProcess).toEqual(repoPaths(10).slice(4));
    expect(() => store.resume.resume('job-1')).toThrow(/already resumed/);
    expect(rows(store, "SELECT status, resumed_by_job_id FROM sync_history WHERE job_id = 'job-1'")).toEqual([
      { status: 'resumed', resumed_by_job_id: sync.jobId },
    ]);
    // The resumed sync carries the work on, and is itself resumable from where it got to.
    sync.completeFiles(repoPaths(10).slice(4, 7));
    sync.flush();
    closeTestProgressStore(store);
    const again = openTestProgressStore(tmp.path);
    const second = again.store.resume.resume(sync.jobId);
    expect(second.plan.filesSkipped).toBe(7);
    expect(second.plan.filesToProcess).toEqual(repoPaths(10).slice(7));
  });

  it('keeps only the latest of several interrupted syncs', () => {
    interrupt(2, 'older');
    interrupt(5, 'newer');
    const { store } = openTestProgressStore(tmp.path);
    expect(store.resume.checkResumable()?.jobId).toBe('newer');
    store.resume.resume('newer');
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'older'")).toEqual([
      { status: 'interrupted' },
    ]);
    expect(rows(store, "SELECT count(*) AS n FROM checkpoints WHERE job_id = 'older'")).toEqual([{ n: 0 }]);
  });

  it('startFresh clears the checkpoint and records the sync as interrupted', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    store.resume.startFresh('job-1');
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'interrupted' }]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints')).toEqual([{ n: 0 }]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoint_files')).toEqual([{ n: 0 }]);
    expect(store.resume.checkResumable()).toBeNull();
    expect(() => store.resume.resume('job-1')).toThrow(ConflictError);
  });

  it('names an unknown job as not found', () => {
    const { store } = openTestProgressStore(tmp.path);
    expect(() => store.resume.resume('no-such-job')).toThrow(NotFoundError);
    expect(() => store.resume.startFresh('no-such-job')).toThrow(NotFoundError);
  });

  it('leaves the store as startFresh would when the resume fails midway', () => {
    interrupt();
    const { store } = openTestProgressStore(tmp.path);
    // A trigger that rejects the new sync makes the resume transaction fail after its claim.
    execSql(
      store.path,
      "CREATE TRIGGER fail_resume BEFORE INSERT ON sync_history WHEN NEW.resumed_from_job_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    );
    expect(() => store.resume.resume('job-1')).toThrow(/injected failure/);
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'interrupted' }]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints')).toEqual([{ n: 0 }]);
  });
});

describe('the 24-hour window and clock jumps', () => {
  it('still offers a sync of ten minutes ago after the wall clock jumps forward a day', () => {
    const clock = interrupt();
    clock.advance(10 * 60_000);
    clock.jumpWall(24 * HOUR);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()?.jobId).toBe('job-1');
  });

  it('falls back to the wall clock for a sync recorded on another boot', () => {
    const clock = interrupt();
    const { store } = openTestProgressStore(tmp.path, { clock });
    execSql(store.path, "UPDATE sync_history SET owner_boot_id = 'another-boot'");
    clock.jumpWall(25 * HOUR);
    expect(store.resume.checkResumable()).toBeNull();
  });
});
