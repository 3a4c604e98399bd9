import fs from 'node:fs';
import path from 'node:path';
import { readArchive } from '../../../src';
import { openTestProgressStore } from '../../support/progress-store';
import { listDir, modeOf, useTempDir } from '../../support/temp-dir';
import { jobIds, seed, writeV01MonthFile } from './retention-fixtures';

/**
 * Finding 3, the archive part: nothing in the archive folder is followed through a link.
 * A linked archive folder or month folder is refused (UNSAFE_PATH) and its target is never
 * written, chmodded or pruned; a linked archive file is never read, copied or deleted.
 */
const tmp = useTempDir();
const OCTOBER = Date.UTC(2026, 9, 10);

function open() {
  const store = tmp.join('store');
  fs.mkdirSync(store, { mode: 0o700 });
  return openTestProgressStore(store, { autoMaintenance: false });
}

/** A folder outside the store, with month-named files of someone else's. */
function outsideFolder(): { dir: string; snapshot: () => unknown } {
  const dir = tmp.join('outside');
  fs.mkdirSync(dir, { mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, '2024-01.jsonl.gz'), 'not yours');
  fs.mkdirSync(path.join(dir, '2024-02'));
  fs.writeFileSync(path.join(dir, '2024-02', '0000000001-0a0b0c0d.jsonl.gz'), 'not yours either');
  const snapshot = () => ({
    mode: modeOf(dir),
    top: listDir(dir),
    inner: listDir(path.join(dir, '2024-02')),
  });
  return { dir, snapshot };
}

describe('links in the archive', () => {
  it('refuses an archive folder that is a link: the target is not written, chmodded or pruned', () => {
    const { store } = open();
    const outside = outsideFolder();
    const before = outside.snapshot();
    fs.symlinkSync(outside.dir, store.retention.archiveDir);
    seed(store, { jobId: 'old', start: OCTOBER, trailRows: 2, outcome: 'completed' });
    expect(() => store.retention.runMaintenance()).toThrow(
      expect.objectContaining({ code: 'UNSAFE_PATH', path: store.retention.archiveDir }),
    );
    expect(outside.snapshot()).toEqual(before);
    expect(jobIds(store)).toEqual(['old']);
    // With nothing to archive, pruning alone refuses it too.
    storeInternalsDelete(store);
    expect(() => store.retention.runMaintenance()).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
    expect(outside.snapshot()).toEqual(before);
    expect(() => readArchive(store.retention.archiveDir)).toThrow(
      expect.objectContaining({ code: 'UNSAFE_PATH' }),
    );
  });

  it('refuses a month folder that is a link, and keeps the rows', () => {
    const { store } = open();
    const outside = outsideFolder();
    const before = outside.snapshot();
    fs.mkdirSync(store.retention.archiveDir, { mode: 0o700 });
    fs.symlinkSync(outside.dir, path.join(store.retention.archiveDir, '2026-10'));
    seed(store, { jobId: 'old', start: OCTOBER, trailRows: 2, outcome: 'completed' });
    expect(() => store.retention.runMaintenance()).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
    expect(outside.snapshot()).toEqual(before);
    expect(jobIds(store)).toEqual(['old']);
  });

  it('never reads, copies or deletes through a linked archive file', () => {
    const { store, warnings } = open();
    const dir = store.retention.archiveDir;
    const elsewhere = tmp.join('elsewhere');
    fs.mkdirSync(elsewhere);
    const target = writeV01MonthFile(elsewhere, 'secret', []);
    fs.writeFileSync(target, 'secret bytes');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.symlinkSync(target, path.join(dir, '2026-10.jsonl.gz'));
    fs.symlinkSync(target, path.join(dir, '2025-01.jsonl.gz'));
    fs.mkdirSync(path.join(dir, '2025-02'), { mode: 0o700 });
    fs.symlinkSync(target, path.join(dir, '2025-02', '0000000001-0a0b0c0d.jsonl.gz'));
    seed(store, { jobId: 'old', start: OCTOBER, trailRows: 2, outcome: 'completed' });

    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(1);
    expect(report.archive.filesDeleted).toEqual([]);
    expect(fs.readFileSync(target, 'utf8')).toBe('secret bytes');
    // The links are where they were, reported, and the new batch holds only the new row.
    expect(listDir(dir)).toEqual(['2025-01.jsonl.gz', '2025-02', '2026-10', '2026-10.jsonl.gz']);
    expect(listDir(path.join(dir, '2025-02'))).toEqual(['0000000001-0a0b0c0d.jsonl.gz']);
    expect(warnings.filter((w) => w.code === 'UNSAFE_PATH').length).toBeGreaterThanOrEqual(3);
    expect(readArchive(report.archive.filesWritten[0]!).map((r) => r.jobId)).toEqual(['old']);
    expect(fs.readFileSync(report.archive.filesWritten[0]!).includes('secret')).toBe(false);
    expect(() => readArchive(path.join(dir, '2026-10.jsonl.gz'))).toThrow(
      expect.objectContaining({ code: 'UNSAFE_PATH' }),
    );
    expect(() => readArchive(dir)).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
  });
});

/** Remove the seeded row straight from the file, so the next run has nothing to archive. */
function storeInternalsDelete(store: ReturnType<typeof open>['store']): void {
  const BetterSqlite3 = require('better-sqlite3');
  const db = new BetterSqlite3(store.path);
  try {
    db.prepare('DELETE FROM progress_updates').run();
    db.prepare('DELETE FROM sync_history').run();
  } finally {
    db.close();
  }
}
