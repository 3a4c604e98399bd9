import { DatabaseLockedError } from '../../../src';
import { openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

/** Another connection to the store's file holding its write lock until released. */
function holdWriteLock(path: string): () => void {
  const BetterSqlite3 = require('better-sqlite3');
  const db = new BetterSqlite3(path);
  db.exec('BEGIN IMMEDIATE');
  return () => {
    db.exec('ROLLBACK');
    db.close();
  };
}

const indexing = (percent: number) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 10,
  filesProcessed: 0,
  totalFiles: 10,
  rate: 1,
});

describe('recording writes while another connection holds the write lock', () => {
  it('name the write that timed out, progress or checkpoint, and the job, in the warning', () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      throttleMs: 0,
      recordLockTimeoutMs: 20,
    });
    const sync = store.recording.startSync({ jobId: 'job-1', files: repoPaths(10) });
    sync.update(indexing(46)); // the phase change's checkpoint, before the lock
    const release = holdWriteLock(store.path);
    try {
      clock.advance(1000);
      sync.update(indexing(47)); // no 5% boundary crossed: a progress row
      clock.advance(1000);
      sync.update(indexing(56)); // a boundary crossed: a checkpoint
    } finally {
      release();
    }
    const messages = warnings.map((w) => w.message);
    expect(messages).toEqual([
      expect.stringContaining('(progress job-1: the database stayed locked'),
      expect.stringContaining('(checkpoint job-1: the database stayed locked'),
    ]);
  });

  it('try a failed write again only after a throttle interval', () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      throttleMs: 1000,
      recordLockTimeoutMs: 20,
    });
    const sync = store.recording.startSync({ jobId: 'job-1', files: repoPaths(10) });
    sync.update(indexing(46));
    const release = holdWriteLock(store.path);
    try {
      clock.advance(1000);
      sync.update(indexing(47)); // fails
      clock.advance(999);
      sync.update(indexing(48)); // too soon to try again
      expect(warnings).toHaveLength(1);
      clock.advance(1);
      sync.update(indexing(49)); // tried again, fails again
      expect(warnings).toHaveLength(2);
    } finally {
      release();
    }
  });

  it('name the start and the job in the error when a start cannot be written', () => {
    const { store } = openTestProgressStore(tmp.path, { lockTimeoutMs: 20 });
    const release = holdWriteLock(store.path);
    try {
      expect(() => store.recording.startSync({ jobId: 'job-1' })).toThrow(
        /^start sync job-1: the database stayed locked/,
      );
    } finally {
      release();
    }
  });

  it("name the sync's end and the job in the error when the end cannot be written", () => {
    const { store } = openTestProgressStore(tmp.path, { lockTimeoutMs: 20 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    const release = holdWriteLock(store.path);
    try {
      expect(() => sync.finish()).toThrow(/^completed sync job-1: the database stayed locked/);
    } finally {
      release();
    }
  });

  it('a finish() that times out on the lock throws, keeps recording, and can be called again', () => {
    const { store } = openTestProgressStore(tmp.path, { lockTimeoutMs: 20 });
    const sync = store.recording.startSync({ jobId: 'job-1', files: repoPaths(2) });
    const release = holdWriteLock(store.path);
    try {
      expect(() => sync.finish()).toThrow(DatabaseLockedError);
    } finally {
      release();
    }
    expect(sync.status).toBe('recording');
    sync.finish();
    expect(sync.status).toBe('completed');
  });

  it("say a quiet sync's heartbeat could not be written, and go on", () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      heartbeatIntervalMs: 20,
      lockTimeoutMs: 20,
    });
    const sync = store.recording.startSync({ jobId: 'quiet' });
    const release = holdWriteLock(store.path);
    try {
      clock.advance(5000);
      jest.advanceTimersByTime(20); // the heartbeat's interval fires once
    } finally {
      release();
      jest.useRealTimers();
    }
    expect(warnings[0]).toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/^heartbeat of quiet: /),
    });
    expect(sync.status).toBe('recording');
  });
});
