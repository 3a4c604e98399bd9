import fs from 'node:fs';
import path from 'node:path';
import { UnsafePathError } from '../../../src';
import { checkArchiveFile, pruneArchive } from '../../../src/services/retention/archive-upkeep';
import type { StoreWarning } from '../../../src/services/store-context';
import { openTestProgressStore, rows } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, seed, writeV01MonthFile } from './retention-fixtures';

/**
 * The archive folder's upkeep on its own: which files pruning deletes, sets aside or leaves,
 * and what it says, in a real run and a dry run. (Whole maintenance runs are tested in
 * history-archive, archive-damage, archive-links and archive-settle.)
 */
const tmp = useTempDir();
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const KEEP_MONTHS = 12; // the oldest month kept is 2025-11

function archiveFolder() {
  const dir = tmp.join('archive');
  fs.mkdirSync(dir, { mode: 0o700 });
  const warnings: StoreWarning[] = [];
  const prune = (dryRun = false) =>
    pruneArchive(dir, NOW, KEEP_MONTHS, (w) => warnings.push(w), dryRun).map((f) => path.relative(dir, f));
  return { dir, warnings, prune };
}

describe('pruneArchive', () => {
  it('finds nothing to do without an archive folder, and refuses one that is a link', () => {
    expect(pruneArchive(tmp.join('none'), NOW, KEEP_MONTHS, () => {}, false)).toEqual([]);
    fs.mkdirSync(tmp.join('real'));
    fs.symlinkSync(tmp.join('real'), tmp.join('linked'));
    expect(() => pruneArchive(tmp.join('linked'), NOW, KEEP_MONTHS, () => {}, false)).toThrow(
      new UnsafePathError(
        tmp.join('linked'),
        'is a symbolic link; the store never follows links inside its folder',
      ),
    );
  });

  it('deletes old month files and batch files in name order, and leaves a link, a file named as a month, and what is kept', () => {
    const { dir, warnings, prune } = archiveFolder();
    for (const month of ['2025-03', '2025-01', '2025-02', '2025-12']) writeV01MonthFile(dir, month, []);
    fs.mkdirSync(path.join(dir, '2024-06'));
    for (const name of ['0000000009-0a.jsonl.gz', '0000000002-0b.jsonl.gz', '0000000005-0c.jsonl.gz'])
      fs.copyFileSync(path.join(dir, '2025-12.jsonl.gz'), path.join(dir, '2024-06', name));
    fs.writeFileSync(path.join(dir, '2024-07'), 'a file, not a month folder');
    fs.writeFileSync(path.join(dir, 'notes.tmp-4194999.txt'), "named like a dead writer's file, but not one");
    fs.symlinkSync(tmp.join('elsewhere'), path.join(dir, '2024-08.jsonl.gz'));
    expect(prune()).toEqual([
      '2024-06/0000000002-0b.jsonl.gz',
      '2024-06/0000000005-0c.jsonl.gz',
      '2024-06/0000000009-0a.jsonl.gz',
      '2025-01.jsonl.gz',
      '2025-02.jsonl.gz',
      '2025-03.jsonl.gz',
    ]);
    expect(listDir(dir)).toEqual([
      '2024-07',
      '2024-08.jsonl.gz',
      '2025-12.jsonl.gz',
      'notes.tmp-4194999.txt',
    ]);
    expect(warnings).toEqual([
      {
        code: 'UNSAFE_PATH',
        message: `${path.join(dir, '2024-08.jsonl.gz')} is a symbolic link inside the archive folder; left alone`,
      },
    ]);
  });

  it('keeps an old month folder that still holds something else, and an empty one in a dry run', () => {
    const { dir, prune } = archiveFolder();
    fs.mkdirSync(path.join(dir, '2024-06'));
    fs.writeFileSync(path.join(dir, '2024-06', 'notes.txt'), 'a person left this');
    fs.mkdirSync(path.join(dir, '2024-05'));
    expect(prune(true)).toEqual([]);
    expect(listDir(dir)).toEqual(['2024-05', '2024-06']);
    expect(prune()).toEqual([]);
    expect(listDir(dir)).toEqual(['2024-06']);
  });

  it('lets an old month folder that cannot be removed for another reason say so', () => {
    const { dir, prune } = archiveFolder();
    fs.mkdirSync(path.join(dir, '2024-06'));
    jest.spyOn(fs, 'rmdirSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EBUSY: rmdir'), { code: 'EBUSY' });
    });
    try {
      expect(() => prune()).toThrow(/EBUSY: rmdir/);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('checkArchiveFile', () => {
  const warn = (into: StoreWarning[]) => (w: StoreWarning) => into.push(w);

  it('passes a file that is not there, and refuses without a word what is not a file', () => {
    const warnings: StoreWarning[] = [];
    expect(checkArchiveFile(tmp.join('none.jsonl.gz'), NOW, warn(warnings), false)).toBe(true);
    fs.mkdirSync(tmp.join('folder.jsonl.gz'));
    expect(checkArchiveFile(tmp.join('folder.jsonl.gz'), NOW, warn(warnings), false)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('refuses a link, saying so', () => {
    const warnings: StoreWarning[] = [];
    const link = tmp.join('2025-01.jsonl.gz');
    fs.symlinkSync(tmp.join('elsewhere'), link);
    expect(checkArchiveFile(link, NOW, warn(warnings), false)).toBe(false);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'UNSAFE_PATH',
        message: expect.stringContaining(
          'is a symbolic link; the archive never reads, writes or deletes through links',
        ),
      }),
    ]);
  });

  it('sets a damaged file aside and says where', () => {
    const warnings: StoreWarning[] = [];
    const file = tmp.join('2025-01.jsonl.gz');
    fs.writeFileSync(file, 'not gzip');
    expect(checkArchiveFile(file, NOW, warn(warnings), false)).toBe(false);
    expect(fs.existsSync(`${file}.corrupt-${NOW}`)).toBe(true);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'CORRUPT',
        message: expect.stringMatching(
          new RegExp(
            `; it was set aside as ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.corrupt-${NOW}, never`,
          ),
        ),
      }),
    ]);
  });
});

describe('archiving into a month that already holds a damaged batch file', () => {
  it("sets that file aside before writing the month's new batch, and archives the rows", () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    seed(store, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    const monthDir = path.join(store.retention.archiveDir, '2026-10');
    fs.mkdirSync(monthDir, { recursive: true, mode: 0o700 });
    const damaged = path.join(monthDir, '0000000001-00aa00bb.jsonl.gz');
    fs.writeFileSync(damaged, 'not gzip');
    fs.writeFileSync(path.join(monthDir, 'notes.txt'), 'not a batch file: never read');
    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(1);
    expect(listDir(monthDir)).toEqual([
      `0000000001-00aa00bb.jsonl.gz.corrupt-${clock.now()}`,
      expect.stringMatching(/^\d{10}-[0-9a-f]{8}\.jsonl\.gz$/),
      'notes.txt',
    ]);
    expect(warnings.filter((w) => w.code === 'CORRUPT')).toHaveLength(1);
    expect(rows(store, 'SELECT job_id FROM sync_history')).toEqual([]);
  });
});
