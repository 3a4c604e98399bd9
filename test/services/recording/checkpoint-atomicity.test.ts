import { childScript, startChild } from '../../support/child-process';
import {
  closeTestProgressStore,
  openTestProgressStore,
  repoPaths,
  rows,
  storeInternals,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A checkpoint and the file events it covers are one unit: a checkpoint write that fails
 * (full disk, another process holding the lock) leaves neither behind, keeps the events
 * for the next attempt, and never makes the next resume fall back to a full sync.
 */
const tmp = useTempDir();
const COMMIT = 'c0ffee0000000000000000000000000000000001';
const FILES = repoPaths(10);

const indexing = (percent: number, filesProcessed: number, checkpointData?: Record<string, unknown>) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 0,
  filesProcessed,
  totalFiles: FILES.length,
  rate: 1,
  ...(checkpointData ? { checkpointData } : {}),
});

/** Cap the store's own connection at its current size, as a full disk would; returns the undo. */
function fillDisk(store: Parameters<typeof storeInternals>[0]): () => void {
  const { sqlite } = storeInternals(store).connection;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  sqlite.pragma(`max_page_count = ${pages}`);
  return () => sqlite.pragma('max_page_count = 1073741823');
}

/** Reopen the store folder as the next CIDX run would, and resume the one sync in it. */
function resumeInNextRun(jobId: string) {
  const { store } = openTestProgressStore(tmp.path);
  expect(store.resume.checkResumable()).toMatchObject({ jobId, canResume: true });
  return store.resume.resume(jobId, { changes: [] }).plan;
}

describe('a checkpoint write that fails', () => {
  it('on a full disk after its file events would fit, leaves the file log and the checkpoint in agreement', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 1000 });
    const sync = store.recording.startSync({ jobId: 'full', gitCommit: COMMIT, files: FILES });
    sync.update(indexing(46, 0)); // checkpoint 1: nothing done yet
    sync.completeFiles(FILES.slice(0, 3));

    // The file events are three short paths (room on the log's existing pages); the
    // checkpoint row carries 60 KB of caller data, which needs new pages the disk no longer has.
    fillDisk(store);
    sync.update(indexing(51, 3, { cursor: 'x'.repeat(60_000) }));
    expect(sync.flush()).toBe(false);
    expect(warnings.map((w) => w.code)).toContain('STORAGE_FULL');
    expect(rows(store, 'SELECT files_completed FROM checkpoints')).toEqual([{ files_completed: 0 }]);

    // The process dies now: closing cannot save either (the disk is still full); the cap
    // belongs to that connection, so the next run has room again.
    closeTestProgressStore(store);
    const plan = resumeInNextRun('full');
    expect(plan).toMatchObject({ fullSyncRequired: false, reason: null, filesSkipped: 0 });
    expect(plan.filesToProcess).toEqual(FILES);
  });

  it('on a full disk keeps the unsaved file events, so the next checkpoint saves them', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 1000 });
    const sync = store.recording.startSync({ jobId: 'retry', gitCommit: COMMIT, files: FILES });
    sync.update(indexing(46, 0));
    sync.completeFiles(FILES.slice(0, 3));
    const freeSpace = fillDisk(store);
    sync.update(indexing(51, 3, { cursor: 'x'.repeat(60_000) }));
    expect(rows(store, 'SELECT files_completed FROM checkpoints')).toEqual([{ files_completed: 0 }]);

    freeSpace();
    clock.advance(1000);
    expect(sync.flush()).toBe(true);
    expect(rows(store, 'SELECT files_completed, files_pending FROM checkpoints')).toEqual([
      { files_completed: 3, files_pending: 7 },
    ]);
    closeTestProgressStore(store);

    const plan = resumeInNextRun('retry');
    expect(plan).toMatchObject({ fullSyncRequired: false, filesSkipped: 3 });
    expect(plan.filesToProcess).toEqual(FILES.slice(3));
  });

  it('because another process holds the lock keeps the unsaved file events for the next checkpoint', async () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, {
      throttleMs: 1000,
      recordLockTimeoutMs: 50,
    });
    const sync = store.recording.startSync({ jobId: 'locked', gitCommit: COMMIT, files: FILES });
    sync.update(indexing(46, 0));
    sync.completeFiles(FILES.slice(0, 4));

    const holder = startChild(childScript('hold-write-lock.js'), [store.path, '1500']);
    await holder.waitForLine('locked');
    expect(sync.flush()).toBe(false);
    expect(warnings.map((w) => w.code)).toContain('LOCKED');
    expect((await holder.exited).stdout).toContain('committed');

    sync.completeFiles(FILES.slice(4, 5));
    clock.advance(1000);
    expect(sync.flush()).toBe(true);
    closeTestProgressStore(store);

    const plan = resumeInNextRun('locked');
    expect(plan).toMatchObject({ fullSyncRequired: false, reason: null, filesSkipped: 5 });
    expect(plan.filesToProcess).toEqual(FILES.slice(5));
  });
});
