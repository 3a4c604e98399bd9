import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readArchive } from '../../../src';
import { openTestProgressStore, repoPaths, rows, storeInternals } from '../../support/progress-store';
import { listDir, modeOf, useTempDir } from '../../support/temp-dir';
import { DAY, HOUR, jobIds, seed, statusOf, tableCounts, writeV01MonthFile } from './retention-fixtures';

const tmp = useTempDir();

function open(options: Parameters<typeof openTestProgressStore>[1] = {}) {
  return openTestProgressStore(tmp.path, { autoMaintenance: false, ...options });
}

describe('sync history older than 30 days', () => {
  it('is kept at exactly 30 days and archived, then removed with its trail, just over', () => {
    const { store, clock } = open();
    const now = clock.now();
    // A sync's last activity is its last trail row: start + (rows - 1) s.
    const endingAt = (age: number, jobId: string) => ({
      jobId,
      start: now - age - 9000,
      trailRows: 10,
      outcome: 'completed' as const,
    });
    seed(
      store,
      endingAt(30 * DAY + 1, 'just-over'),
      endingAt(30 * DAY, 'exactly-30d'),
      endingAt(30 * DAY - 1, 'just-under'),
    );
    expect(tableCounts(store).figures).toBe(3);
    const report = store.retention.runMaintenance();
    expect(jobIds(store)).toEqual(['exactly-30d', 'just-under']);
    // Its figures went with it, in the same transaction.
    expect(tableCounts(store).figures).toBe(2);
    expect(report.removed.syncHistory.rows).toBe(1);
    expect(report.removed.syncHistory.bytes).toBeGreaterThan(100);
    expect(report.removed.progressRemoved.rows).toBe(10);
    expect(report.archive.rows).toBe(1);
    expect(readArchive(report.archive.filesWritten[0]!).map((r) => r.jobId)).toEqual(['just-over']);
  });

  it('reads back from the archive as exactly the rows the store held', () => {
    const { store, clock } = open();
    const start = clock.now() - 45 * DAY;
    seed(
      store,
      { jobId: 'ok', start, trailRows: 30, outcome: 'completed' },
      { jobId: 'failed', start: start + HOUR, trailRows: 20, outcome: 'failed', checkpointFiles: 10 },
      { jobId: 'cancelled', start: start + 2 * HOUR, trailRows: 5, outcome: 'cancelled' },
      { jobId: 'killed', start: start + 3 * HOUR, trailRows: 5, outcome: 'killed', checkpointFiles: 10 },
    );
    const { repos } = storeInternals(store);
    const before = repos.syncHistory.listByJobIds(['ok', 'failed', 'cancelled']);
    const report = store.retention.runMaintenance();
    expect(tableCounts(store)).toEqual({ syncs: 0, trail: 0, checkpoints: 0, fileLog: 0, figures: 0 });
    const archived = readArchive(report.archive.filesWritten[0]!);
    expect(archived.slice(0, 3)).toEqual(before);
    // The killed sync was marked interrupted before it was archived.
    expect(archived[3]).toMatchObject({ jobId: 'killed', status: 'interrupted', ownerPid: null });
  });

  it('writes a new private batch file per run into the month folder, which zcat reads', () => {
    const { store, clock } = open();
    const october = Date.UTC(2026, 9, 10);
    seed(store, { jobId: 'first', start: october, trailRows: 2, outcome: 'completed' });
    const first = store.retention.runMaintenance();
    seed(store, { jobId: 'second', start: october + DAY, trailRows: 2, outcome: 'completed' });
    clock.advance(2 * DAY);
    const second = store.retention.runMaintenance();

    const dir = store.retention.archiveDir;
    const monthDir = path.join(dir, '2026-10');
    expect(dir).toBe(path.join(tmp.path, 'acme-api.archive'));
    expect(first.archive.filesWritten).toHaveLength(1);
    expect(second.archive.filesWritten).toHaveLength(1);
    const files = [first.archive.filesWritten[0]!, second.archive.filesWritten[0]!];
    for (const file of files) {
      expect(path.dirname(file)).toBe(monthDir);
      expect(modeOf(file)).toBe(0o600);
    }
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(monthDir)).toBe(0o700);
    expect(listDir(dir)).toEqual(['2026-10']);
    expect(listDir(monthDir)).toEqual(files.map((f) => path.basename(f)).sort());
    const lines = files.flatMap((file) =>
      execFileSync('zcat', [file], { encoding: 'utf8' }).trim().split('\n'),
    );
    expect(lines.map((line) => JSON.parse(line).jobId)).toEqual(['first', 'second']);
    expect(readArchive(monthDir).map((r) => r.jobId)).toEqual(['first', 'second']);
    expect(readArchive(dir).map((r) => r.jobId)).toEqual(['first', 'second']);
    expect(fs.statSync(files[0]!).size).toBe(first.archive.bytesWritten);
    // Nothing is left to settle: no pending file, no batch record.
    expect(
      rows(store, "SELECT key FROM store_meta WHERE key LIKE 'archive%' OR key LIKE 'maintenance_lease%'"),
    ).toEqual([]);
  });

  it('settles what an old sync left behind before archiving it, in a dry run as in the real one', () => {
    const { store, clock } = open();
    seed(
      store,
      // Killed before its first checkpoint: still `running`, its owner long gone.
      { jobId: 'killed-bare', start: clock.now() - 40 * DAY, trailRows: 3, outcome: 'killed' },
      // A checkpoint touched recently (the 7-day pass leaves it) on a sync 40 days quiet.
      {
        jobId: 'stray-checkpoint',
        start: clock.now() - 40 * DAY,
        trailRows: 3,
        outcome: 'failed',
        checkpointFiles: 20,
      },
    );
    storeInternals(store)
      .connection.sqlite.prepare("UPDATE checkpoints SET updated_at = ? WHERE job_id = 'stray-checkpoint'")
      .run(clock.now() - DAY);
    const dry = store.retention.runMaintenance({ dryRun: true });
    const real = store.retention.runMaintenance();
    for (const report of [dry, real]) {
      expect(report.syncsInterrupted).toBe(1);
      expect(report.removed.checkpoints.rows).toBe(1);
      expect(report.removed.checkpointFiles.rows).toBe(2);
      expect(report.removed.syncHistory.rows).toBe(2);
    }
    expect(tableCounts(store)).toEqual({ syncs: 0, trail: 0, checkpoints: 0, fileLog: 0, figures: 0 });
    expect(readArchive(real.archive.filesWritten[0]!).map((r) => [r.jobId, r.status])).toEqual([
      ['killed-bare', 'interrupted'],
      ['stray-checkpoint', 'failed'],
    ]);
  });

  it('never archives a running sync or a still-resumable one, however old', () => {
    const { store, clock } = open({ resumeWindowMs: 40 * DAY });
    const live = store.recording.startSync({ jobId: 'live', files: repoPaths(5) });
    seed(store, {
      jobId: 'resumable',
      start: clock.now() - HOUR,
      trailRows: 3,
      outcome: 'failed',
      checkpointFiles: 5,
    });
    clock.advance(35 * DAY);
    const report = store.retention.runMaintenance();
    expect(jobIds(store)).toEqual(['live', 'resumable']);
    expect(report.archive.rows).toBe(0);
    expect(statusOf(store, 'live')).toBe('running');
    live.finish();
  });

  it('keeps 12 months of archive files: older months are neither written nor kept', () => {
    const { store, clock } = open();
    const now = clock.now(); // 2026-11-26
    const dir = store.retention.archiveDir;
    writeV01MonthFile(dir, '2025-10', []);
    writeV01MonthFile(dir, '2025-11', []);
    fs.mkdirSync(path.join(dir, '2025-09'));
    writeV01MonthFile(path.join(dir, '2025-09'), '0000000001-0a0b0c0d', []);
    fs.writeFileSync(path.join(dir, '2026-01.jsonl.gz.tmp-4194999'), 'half-written');
    fs.writeFileSync(path.join(dir, `2026-02.jsonl.gz.tmp-${process.pid}`), 'being written');
    seed(
      store,
      { jobId: 'fourteen-months', start: Date.UTC(2025, 8, 20), trailRows: 2, outcome: 'completed' },
      { jobId: 'twelve-months', start: Date.UTC(2025, 10, 3), trailRows: 2, outcome: 'completed' },
      { jobId: 'recent', start: now - 40 * DAY, trailRows: 2, outcome: 'completed' },
    );
    const report = store.retention.runMaintenance();
    expect(listDir(dir)).toEqual([
      '2025-11',
      '2025-11.jsonl.gz',
      `2026-02.jsonl.gz.tmp-${process.pid}`,
      '2026-10',
    ]);
    expect(report.archive.filesDeleted.map((f) => path.relative(dir, f))).toEqual([
      '2025-09/0000000001-0a0b0c0d.jsonl.gz',
      '2025-10.jsonl.gz',
      '2026-01.jsonl.gz.tmp-4194999',
    ]);
    expect(report.archive.rows).toBe(2);
    expect(report.removed.syncHistory.rows).toBe(3);
    expect(readArchive(path.join(dir, '2025-11')).map((r) => r.jobId)).toEqual(['twelve-months']);
  });
});

describe('a batch whose rows change while it is written', () => {
  it('is not archived: its file is discarded and the rows stay, to be archived by a later run', () => {
    const { store, clock } = open();
    seed(store, { jobId: 'changing', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    const { repos, connection } = storeInternals(store);
    const listForJobs = repos.progressUpdates.listForJobs.bind(repos.progressUpdates);
    // Between the file write and the delete, another process changes the row.
    jest.spyOn(repos.progressUpdates, 'listForJobs').mockImplementationOnce((...args) => {
      connection.sqlite.prepare("UPDATE sync_history SET files_changed = 99 WHERE job_id = 'changing'").run();
      return listForJobs(...args);
    });
    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(0);
    expect(report.removed.syncHistory.rows).toBe(0);
    expect(jobIds(store)).toEqual(['changing']);
    expect(listDir(path.join(store.retention.archiveDir, '2026-10'))).toEqual([]);
    const again = store.retention.runMaintenance();
    expect(readArchive(again.archive.filesWritten[0]!)).toEqual([
      expect.objectContaining({ jobId: 'changing', filesChanged: 99 }),
    ]);
  });
});

describe('readArchive', () => {
  it('reads month files of 0.1 (several gzip members), and keeps one row per job when 0.1 archived a row twice', () => {
    const { store, clock } = open();
    seed(store, { jobId: 'twice', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    seed(store, { jobId: 'once', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    const [twice, once] = storeInternals(store).repos.syncHistory.listByJobIds(['twice', 'once']);
    const file = writeV01MonthFile(store.retention.archiveDir, '2026-10', [twice!], [twice!, once!]);
    expect(readArchive(file)).toEqual([twice, once]);
    expect(readArchive(store.retention.archiveDir)).toEqual([twice, once]);
  });

  it('fails with typed errors for a missing file, a damaged one, and a bad argument', () => {
    const file = tmp.join('2026-01.jsonl.gz');
    expect(() => readArchive(file)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    fs.writeFileSync(file, 'not gzip');
    expect(() => readArchive(file)).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
    fs.writeFileSync(file, gzipSync('{"jobId": 1}\n'));
    expect(() => readArchive(file)).toThrow(expect.objectContaining({ code: 'CORRUPT' }));
    expect(() => readArchive(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
    fs.writeFileSync(file, '');
    expect(readArchive(file)).toEqual([]);
    // A folder is read as an archive folder: here, none of its files are archive files.
    expect(readArchive(tmp.path)).toEqual([]);
    // A path through a file names nothing (ENOTDIR is "missing" to the store's lstat).
    expect(() => readArchive(path.join(file, 'inside-a-file'))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    const fifo = tmp.join('2026-02.jsonl.gz');
    execFileSync('mkfifo', [fifo]);
    expect(() => readArchive(fifo)).toThrow(
      expect.objectContaining({ code: 'STORAGE', message: expect.stringMatching(/not a regular file/) }),
    );
  });
});
