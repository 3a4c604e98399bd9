import fs from 'node:fs';
import path from 'node:path';
import { Settings } from 'luxon';
import { readArchive, UnsafePathError } from '../../../src';
import { oldestKeptMonth, readArchiveFile } from '../../../src/services/retention/archive';
import { openTestProgressStore, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, seed, writeV01MonthFile } from './retention-fixtures';

/** What counts as an archive file when the archive is read, and what reading one leaves behind. */
const tmp = useTempDir();

function archiveWithOneSync() {
  const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false });
  seed(store, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
  const row = storeInternals(store).repos.syncHistory.findByJobId('old')!;
  const dir = store.retention.archiveDir;
  writeV01MonthFile(dir, '2026-10', [row]);
  return { dir, row };
}

describe('reading the archive folder', () => {
  it('reads month files and batch files only: not a file named as a month, a folder named as a file, or other files', () => {
    const { dir, row } = archiveWithOneSync();
    fs.writeFileSync(path.join(dir, '2026-09'), 'a file where a month folder would be');
    fs.mkdirSync(path.join(dir, '2026-08'));
    fs.mkdirSync(path.join(dir, '2026-08', '0000000001-0a0b0c0d.jsonl.gz'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an archive file');
    fs.writeFileSync(path.join(dir, '2026-08', 'notes.txt'), 'not one either');
    expect(readArchive(dir)).toEqual([row]);
  });

  it('refuses a link inside it, saying so', () => {
    const { dir } = archiveWithOneSync();
    const link = path.join(dir, '2026-07.jsonl.gz');
    fs.symlinkSync(path.join(dir, '2026-10.jsonl.gz'), link);
    expect(() => readArchive(dir)).toThrow(
      new UnsafePathError(link, 'is a symbolic link; the archive is never read through links'),
    );
  });

  it('closes every file it opens', () => {
    const { dir } = archiveWithOneSync();
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) readArchiveFile(path.join(dir, '2026-10.jsonl.gz'));
    expect(open()).toBe(before);
  });
});

describe('the oldest month kept', () => {
  const defaultZone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = defaultZone;
  });

  it('is counted in UTC months, whatever the local time zone', () => {
    // 12:00 UTC on 30 November is already 1 December in UTC+14.
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    for (const zone of ['Pacific/Kiritimati', 'UTC']) {
      Settings.defaultZone = zone;
      expect(oldestKeptMonth(now, 12)).toBe('2025-11');
    }
  });
});

describe('archiving many syncs', () => {
  it('takes them in batches no larger than the batch sizer allows (25 to begin with)', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    seed(
      store,
      ...Array.from({ length: 30 }, (_, i) => ({
        jobId: `old-${i}`,
        start: clock.now() - 40 * DAY + i * 1000,
        trailRows: 1,
        outcome: 'completed' as const,
      })),
    );
    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(30);
    const perFile = report.archive.filesWritten.map((file) => readArchive(file).length);
    expect(Math.max(...perFile)).toBe(25);
    expect(perFile.reduce((a, b) => a + b, 0)).toBe(30);
  });
});
