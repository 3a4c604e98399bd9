import fs from 'node:fs';
import path from 'node:path';
import { Settings } from 'luxon';
import { gzipSync } from 'node:zlib';
import { archiveMonthOf } from '../../../src/services/retention/archive';
import { openTestProgressStore } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';

/** Pruning the archive deletes only the month files it wrote (0.1's YYYY-MM.jsonl.gz), by exact name. */
const tmp = useTempDir();

describe('pruning the archive folder', () => {
  it('deletes an old month file, and no file whose name merely contains one', () => {
    const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const dir = store.retention.archiveDir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, '2019-01.jsonl.gz'), gzipSync(''), { mode: 0o600 });
    const lookalikes = [
      'backup-2019-01.jsonl.gz',
      '2019-01.jsonl.gz.bak',
      '2019-1.jsonl.gz',
      '19-01.jsonl.gz',
    ];
    for (const name of lookalikes) fs.writeFileSync(path.join(dir, name), 'not ours');

    const report = store.retention.runMaintenance();
    expect(report.archive.filesDeleted.map((f) => path.basename(f))).toEqual(['2019-01.jsonl.gz']);
    expect(listDir(dir)).toEqual([...lookalikes].sort());
  });
});

describe('the month a sync is archived under', () => {
  const defaultZone = Settings.defaultZone;
  afterEach(() => {
    Settings.defaultZone = defaultZone;
  });

  it('is the UTC month of its start, whatever the local time zone', () => {
    // 20:00 UTC on 31 January is already 1 February in UTC+14 and still 31 January in UTC-10.
    const start = Date.UTC(2026, 0, 31, 20, 0, 0);
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Honolulu', 'UTC']) {
      Settings.defaultZone = zone;
      expect(archiveMonthOf(start)).toBe('2026-01');
    }
    Settings.defaultZone = 'Pacific/Kiritimati';
    expect(archiveMonthOf(Date.UTC(2026, 1, 28, 23, 59, 59))).toBe('2026-02');
  });
});
