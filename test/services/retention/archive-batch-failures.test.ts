import fs from 'node:fs';
import path from 'node:path';
import { readArchive } from '../../../src';
import { discardBatch, publishBatch, writePendingBatch } from '../../../src/services/retention/archive-batch';
import { MaintenanceRun } from '../../../src/services/retention/maintenance-run';
import { openTestProgressStore, rows, storeInternals } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, jobIds, seed } from './retention-fixtures';

/**
 * The archive protocol's steps failing in this process, where a crash test (a child killed
 * at random) cannot be sure to land: between the commit that deletes a batch's rows and the
 * rename that makes its file archive, and around it. Every row must end up in exactly one
 * place: the database, or one archive file.
 */
const tmp = useTempDir();

function setup() {
  const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
  const { store, clock } = opened;
  seed(
    store,
    { jobId: 'a', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' },
    { jobId: 'b', start: clock.now() - 41 * DAY, trailRows: 2, outcome: 'completed' },
  );
  return { ...opened, monthDir: path.join(store.retention.archiveDir, '2026-10') };
}

const archivedJobs = (dir: string) =>
  readArchive(dir)
    .map((r) => r.jobId)
    .sort();
const batchRecords = (store: Parameters<typeof rows>[0]) =>
  rows(store, "SELECT key FROM store_meta WHERE key LIKE 'archive_batch %'");

afterEach(() => jest.restoreAllMocks());

/**
 * Make maintenance's "archive and delete syncs" write throw: before its transaction runs,
 * or after it committed (a failure reported although the rows went).
 */
function failArchiveWrite(when: 'before the commit' | 'after the commit'): void {
  const write = MaintenanceRun.prototype.write;
  jest.spyOn(MaintenanceRun.prototype, 'write').mockImplementation(function (this: MaintenanceRun, ...args) {
    if (args[0] !== 'archive and delete syncs') return write.apply(this, args);
    if (when === 'before the commit') throw new Error('failure before the commit');
    write.apply(this, args);
    throw new Error('failure reported after the commit');
  } as typeof write);
}

describe('an archive batch', () => {
  it('committed but not yet renamed (the rename failed) is published by the next run, once', () => {
    const { store, monthDir } = setup();
    const rename = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementationOnce((from, to) => {
      if (String(from).includes('.pending-')) throw Object.assign(new Error('EIO: rename'), { code: 'EIO' });
      return rename(from, to);
    });
    expect(() => store.retention.runMaintenance()).toThrow(/EIO: rename/);
    // The rows left the database with the commit; their file is recorded, still pending.
    expect(jobIds(store)).toEqual([]);
    expect(batchRecords(store)).toHaveLength(1);
    expect(listDir(monthDir)).toEqual([expect.stringMatching(/\.jsonl\.gz\.pending-\d+-[0-9a-z]+$/)]);

    store.retention.runMaintenance();
    expect(listDir(monthDir)).toEqual([expect.stringMatching(/^\d{10}-[0-9a-f]{8}\.jsonl\.gz$/)]);
    expect(archivedJobs(monthDir)).toEqual(['a', 'b']);
    expect(batchRecords(store)).toEqual([]);
  });

  it('whose delete committed although its write reported a failure is kept and published, not discarded', () => {
    const { store, monthDir } = setup();
    failArchiveWrite('after the commit');
    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(2);
    expect(report.removed.syncHistory.rows).toBe(2);
    expect(report.removed.syncHistory.bytes).toBeGreaterThan(0);
    expect(jobIds(store)).toEqual([]);
    expect(archivedJobs(monthDir)).toEqual(['a', 'b']);
    expect(listDir(monthDir)).toHaveLength(1);
    expect(batchRecords(store)).toEqual([]);
  });

  it('of syncs too old to archive (no file written) whose delete fails: the failure is what is thrown', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    seed(store, { jobId: 'ancient', start: clock.now() - 500 * DAY, trailRows: 2, outcome: 'completed' });
    failArchiveWrite('before the commit');
    expect(() => store.retention.runMaintenance()).toThrow(/^failure before the commit$/);
    expect(jobIds(store)).toEqual(['ancient']);
  });

  it('whose write failed before committing is discarded, and its rows stay for the next run', () => {
    const { store, monthDir } = setup();
    failArchiveWrite('before the commit');
    expect(() => store.retention.runMaintenance()).toThrow(/failure before the commit/);
    expect(jobIds(store)).toEqual(['a', 'b']);
    expect(listDir(monthDir)).toEqual([]);
    expect(batchRecords(store)).toEqual([]);
  });
});

describe('publishBatch and discardBatch', () => {
  function pendingBatch() {
    const { store } = setup();
    const row = storeInternals(store).repos.syncHistory.findByJobId('a')!;
    return writePendingBatch(store.retention.archiveDir, '2026-10', [row]);
  }

  it('publishBatch lets a failed rename other than "gone" through', () => {
    const batch = pendingBatch();
    jest.spyOn(fs, 'renameSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EACCES: rename'), { code: 'EACCES' });
    });
    expect(() => publishBatch(batch.pendingFile)).toThrow(/EACCES: rename/);
    expect(fs.existsSync(batch.pendingFile)).toBe(true);
  });

  it('publishBatch says whether a gone pending file was already published or is missing', () => {
    const batch = pendingBatch();
    expect(publishBatch(batch.pendingFile)).toBe('published');
    expect(publishBatch(batch.pendingFile)).toBe('already');
    fs.rmSync(batch.finalFile);
    expect(publishBatch(batch.pendingFile)).toBe('missing');
  });

  it('discardBatch of a file already gone does nothing', () => {
    const batch = pendingBatch();
    discardBatch(batch);
    expect(fs.existsSync(batch.pendingFile)).toBe(false);
    expect(() => discardBatch(batch)).not.toThrow();
  });
});
