import { ConflictError, StoreClosedError, ValidationError } from '../../../src';
import { childScript, lastJsonLine, startChild } from '../../support/child-process';
import { closeTestProgressStore, openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

const indexing = (percent: number, filesProcessed = 0) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: Math.max(0, ((percent - 45) / 45) * 100),
  filesProcessed,
  totalFiles: 10,
  rate: 2,
});

/** Everything the store wrote, so a test can show that a call wrote nothing. */
function snapshot(store: Parameters<typeof rows>[0]) {
  return {
    history: rows(store, 'SELECT * FROM sync_history ORDER BY id'),
    progress: rows(store, 'SELECT * FROM progress_updates ORDER BY id'),
    checkpoints: rows(store, 'SELECT * FROM checkpoints ORDER BY job_id'),
    files: rows(store, 'SELECT * FROM checkpoint_files ORDER BY id'),
  };
}

/** Every recording call a sync loop makes, with values that are good in themselves. */
function everyRecordingCall(
  sync: ReturnType<ReturnType<typeof openTestProgressStore>['store']['recording']['startSync']>,
) {
  sync.update(indexing(80, 8));
  sync.completeFiles(['src/module-0/file-0.ts']);
  sync.skipFiles(['src/module-1/file-1.ts']);
  sync.planFiles(['src/late/file.ts']);
  return sync.flush();
}

describe('recording calls after the sync ended', () => {
  it.each([
    ['finish', (s: { finish(): void }) => s.finish()],
    ['fail', (s: { fail(e: string): void }) => s.fail('Network timeout')],
    ['cancel', (s: { cancel(r?: string): void }) => s.cancel('user pressed Ctrl-C')],
  ])('after %s: do nothing, write nothing, and warn once for the whole sync', (_end, end) => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'ended', files: repoPaths(10) });
    sync.update(indexing(50, 2));
    end(sync as never);
    const before = snapshot(store);
    const warned = warnings.length;
    for (let i = 0; i < 5; i++) {
      expect(() => everyRecordingCall(sync)).not.toThrow();
      expect(sync.flush()).toBe(false);
    }
    expect(snapshot(store)).toEqual(before);
    const late = warnings.slice(warned);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({
      code: 'NOT_RECORDING',
      message: expect.stringMatching(
        /^sync ended: update\(\) ignored: the sync has ended \((completed|failed|cancelled)\)/,
      ),
    });
  });

  it('still throws ValidationError for bad values, ended or not', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'ended' });
    sync.finish();
    expect(() => sync.update({ ...indexing(50), percent: Number.NaN })).toThrow(ValidationError);
    expect(() => sync.update({ ...indexing(50), percent: 140 })).toThrow(ValidationError);
    expect(() => sync.update({ ...indexing(50), phase: 'Compiling' })).toThrow(ValidationError);
    expect(() => sync.completeFiles(['/etc/passwd'])).toThrow(ValidationError);
    expect(() => sync.skipFiles(['../outside'])).toThrow(ValidationError);
    expect(() => sync.planFiles(['a.ts', 'a.ts'])).toThrow(ValidationError);
  });
});

describe('ending a sync twice', () => {
  it('is a no-op with the same end, and writes nothing more', () => {
    const { store } = openTestProgressStore(tmp.path);
    const done = store.recording.startSync({ jobId: 'done' });
    done.finish({ filesIndexed: 3 });
    const failed = store.recording.startSync({ jobId: 'failed', files: repoPaths(2) });
    failed.fail('Network timeout');
    const cancelled = store.recording.startSync({ jobId: 'cancelled', files: repoPaths(2, 'lib') });
    cancelled.cancel('Ctrl-C');
    const before = snapshot(store);
    expect(() => done.finish({ filesIndexed: 99 })).not.toThrow();
    expect(() => failed.fail('another failure')).not.toThrow();
    expect(() => cancelled.cancel()).not.toThrow();
    expect(snapshot(store)).toEqual(before);
    expect([done.status, failed.status, cancelled.status]).toEqual(['completed', 'failed', 'cancelled']);
  });

  it('is a ConflictError with a different end, and writes nothing', () => {
    const { store } = openTestProgressStore(tmp.path);
    const done = store.recording.startSync({ jobId: 'done' });
    done.finish();
    const failed = store.recording.startSync({ jobId: 'failed', files: repoPaths(2) });
    failed.fail('Network timeout');
    const before = snapshot(store);
    expect(() => done.fail('too late')).toThrow(ConflictError);
    expect(() => done.cancel()).toThrow(ConflictError);
    expect(() => failed.finish()).toThrow('sync failed is failed; it cannot be completed now');
    expect(() => done.cancel()).toThrow('sync done is completed; it cannot be cancelled now');
    expect(() => failed.cancel()).toThrow(ConflictError);
    expect(snapshot(store)).toEqual(before);
  });

  it('still validates the values of a repeated end', () => {
    const { store } = openTestProgressStore(tmp.path);
    const done = store.recording.startSync({ jobId: 'done' });
    done.finish();
    expect(() => done.finish({ filesIndexed: -1 })).toThrow(ValidationError);
  });
});

describe('recording calls after store.close()', () => {
  it('do nothing and warn once; ending the sync then says the store is closed', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({
      jobId: 'closing',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files: repoPaths(10),
    });
    sync.update(indexing(50, 2));
    closeTestProgressStore(store);
    const warned = warnings.length;
    for (let i = 0; i < 5; i++) {
      expect(() => everyRecordingCall(sync)).not.toThrow();
      expect(sync.flush()).toBe(false);
    }
    const late = warnings.slice(warned);
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({
      code: 'NOT_RECORDING',
      message: expect.stringMatching(/^sync closing: update\(\) ignored: the store is closed/),
    });
    // The end was not recorded: the caller must know.
    expect(() => sync.finish()).toThrow(StoreClosedError);
    // What was saved before the close is offered for resume.
    const reopened = openTestProgressStore(tmp.path);
    expect(reopened.store.resume.checkResumable()).toMatchObject({
      jobId: 'closing',
      progress: 50,
      canResume: true,
    });
  });

  it('a SIGINT handler closes the store while the loop keeps calling update(): the loop never throws', async () => {
    const child = startChild(childScript('sigint-close.js'), [tmp.path, 'acme-api']);
    await child.waitForLine('recording');
    child.process.kill('SIGINT');
    const result = await child.exited;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = lastJsonLine<{ thrown: string | null; callsAfterClose: number; warnings: string[] }>(
      result.stdout,
    );
    expect(report.thrown).toBeNull();
    expect(report.callsAfterClose).toBeGreaterThanOrEqual(20);
    expect(report.warnings).toEqual(['NOT_RECORDING']);
    const { store } = openTestProgressStore(tmp.path);
    expect(store.resume.checkResumable()).toMatchObject({ jobId: 'interrupted-by-sigint', canResume: true });
  });
});

describe('recording calls after another process took the sync over', () => {
  const takeOver = (path: string, jobId: string) => {
    const BetterSqlite3 = require('better-sqlite3');
    const db = new BetterSqlite3(path);
    db.prepare(
      "UPDATE sync_history SET status = 'resumed', resumed_by_job_id = 'other' WHERE job_id = ?",
    ).run(jobId);
    db.close();
  };

  it('do nothing once the loss is found, warn once, and ending the sync is a ConflictError', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({
      jobId: 'taken',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files: repoPaths(10),
    });
    takeOver(store.path, 'taken');
    expect(() => sync.update(indexing(50))).not.toThrow();
    expect(sync.status).toBe('detached');
    expect(warnings.map((w) => w.code)).toEqual(['OWNERSHIP_LOST']);
    for (let i = 0; i < 3; i++) expect(() => everyRecordingCall(sync)).not.toThrow();
    expect(warnings.slice(1)).toEqual([
      expect.objectContaining({
        code: 'NOT_RECORDING',
        message: expect.stringMatching(/another process resumed it/),
      }),
    ]);
    expect(() => sync.finish()).toThrow(/no longer recorded here/);
  });

  it('found by the heartbeat of a quiet sync: warned with the job, and the sync stops recording', () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { heartbeatIntervalMs: 20 });
    const sync = store.recording.startSync({ jobId: 'quiet' });
    takeOver(store.path, 'quiet');
    clock.advance(5000);
    try {
      jest.advanceTimersByTime(20); // the heartbeat's interval fires once
    } finally {
      jest.useRealTimers();
    }
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'OWNERSHIP_LOST',
        message: 'sync quiet was taken over by another process',
      }),
    ]);
    expect(sync.status).toBe('detached');
  });

  it('finish() that finds the sync taken over throws ConflictError and stops recording', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'taken' });
    takeOver(store.path, 'taken');
    expect(() => sync.finish()).toThrow(ConflictError);
    expect(sync.status).toBe('detached');
  });

  it('says which sync was taken over, in the error of the write that found it', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'taken' });
    takeOver(store.path, 'taken');
    expect(() => sync.finish()).toThrow('sync taken is no longer running here (taken over by a resume)');
  });
});

describe('progress that goes back', () => {
  it('keeps the higher percent (stored progress never goes down) and warns once per sync', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'recount' });
    sync.update(indexing(45.2, 1));
    for (const percent of [45.1, 45.0, 44]) {
      expect(() => sync.update(indexing(percent, 2))).not.toThrow();
    }
    sync.update(indexing(46, 3));
    const trail = rows<{ overall_progress: number; files_processed: number }>(
      store,
      "SELECT overall_progress, files_processed FROM progress_updates WHERE job_id = 'recount' ORDER BY id",
    );
    const stored = trail.map((r) => r.overall_progress);
    expect(stored).toEqual([45.2, 45.2, 45.2, 45.2, 46]);
    expect([...stored].sort((a, b) => a - b)).toEqual(stored);
    // The rest of the update is taken as reported.
    expect(trail[1]!.files_processed).toBe(2);
    const back = warnings.filter((w) => w.code === 'WENT_BACKWARDS');
    expect(back).toHaveLength(1);
    expect(back[0]!.message).toMatch(/percent went back from 45\.2 to 45\.1; kept 45\.2/);
  });

  it('keeps the current phase when an earlier one is reported, and warns once per sync', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'phases' });
    sync.update(indexing(60));
    const checkpoints = () =>
      rows<{ seq: number; phase: string }>(store, 'SELECT seq, phase FROM checkpoints')[0]!;
    const before = checkpoints();
    sync.update({
      phase: 'Git Fetch',
      percent: 61,
      phasePercent: 90,
      filesProcessed: 0,
      totalFiles: 10,
      rate: 0,
    });
    sync.update({
      phase: 'Git Merge',
      percent: 62,
      phasePercent: 10,
      filesProcessed: 0,
      totalFiles: 10,
      rate: 0,
    });
    // Not a phase change: no checkpoint for it, and the row says the phase it is in.
    expect(checkpoints()).toEqual(before);
    const phases = rows<{ phase: string; overall_progress: number }>(
      store,
      "SELECT phase, overall_progress FROM progress_updates WHERE job_id = 'phases' ORDER BY id",
    );
    expect(phases.slice(-2)).toEqual([
      { phase: 'Indexing Files', overall_progress: 61 },
      { phase: 'Indexing Files', overall_progress: 62 },
    ]);
    const back = warnings.filter((w) => w.code === 'WENT_BACKWARDS');
    expect(back).toHaveLength(1);
    expect(back[0]!.message).toMatch(
      /phase went back from "Indexing Files" to "Git Fetch"; kept "Indexing Files"/,
    );
    sync.finish();
    const durations = JSON.parse(
      rows<{ phase_durations: string }>(store, 'SELECT phase_durations FROM sync_history')[0]!
        .phase_durations,
    );
    expect(Object.keys(durations)).toEqual(['Initializing', 'Indexing Files']);
  });

  it('warns once for the percent and once for the phase in the same sync, and anew for the next sync', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    for (const jobId of ['first', 'second']) {
      const sync = store.recording.startSync({ jobId });
      sync.update(indexing(60));
      sync.update(indexing(59));
      sync.update({
        phase: 'Git Fetch',
        percent: 58,
        phasePercent: 0,
        filesProcessed: 0,
        totalFiles: 10,
        rate: 0,
      });
      sync.update(indexing(57));
      sync.finish();
    }
    expect(warnings.filter((w) => w.code === 'WENT_BACKWARDS').map((w) => w.message.split(':')[0])).toEqual([
      'sync first',
      'sync first',
      'sync second',
      'sync second',
    ]);
  });
});
