import fs from 'node:fs';
import path from 'node:path';
import { appendToArchive } from '../../../src/services/retention/archive';
import { openTestProgressStore } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';

/** Pruning the archive deletes only the month files it writes (YYYY-MM.jsonl.gz), by exact name. */
const tmp = useTempDir();

describe('pruning the archive folder', () => {
  it('deletes an old month file, and no file whose name merely contains one', () => {
    const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const dir = store.retention.archiveDir;
    appendToArchive(dir, '2019-01', []);
    const lookalikes = ['backup-2019-01.jsonl.gz', '2019-01.jsonl.gz.bak', '2019-1.jsonl.gz', '19-01.jsonl.gz'];
    for (const name of lookalikes) fs.writeFileSync(path.join(dir, name), 'not ours');

    const report = store.retention.runMaintenance();
    expect(report.archive.filesDeleted.map((f) => path.basename(f))).toEqual(['2019-01.jsonl.gz']);
    expect(listDir(dir)).toEqual([...lookalikes].sort());
  });
});
