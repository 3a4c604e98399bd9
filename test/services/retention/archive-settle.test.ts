import fs from 'node:fs';
import path from 'node:path';
import { readArchive } from '../../../src';
import {
  abandonedPendingFiles,
  publishBatch,
  writePendingBatch,
} from '../../../src/services/retention/archive-batch';
import { openTestProgressStore, rows, storeInternals } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, seed } from './retention-fixtures';

/**
 * What the next run does with what a crashed run left in the archive: a batch recorded
 * as archived is finished (renamed), whatever state its file is in; an unrecorded pending
 * file is deleted once its writer is gone, and kept while it may still be written.
 */
const tmp = useTempDir();

function setup() {
  const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
  const { store, clock } = opened;
  seed(store, { jobId: 'a', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
  const context = storeInternals(store);
  const row = context.repos.syncHistory.findByJobId('a')!;
  const month = '2026-10';
  const monthDir = path.join(store.retention.archiveDir, month);
  return { ...opened, context, row, month, monthDir };
}

const recordKey = (file: string, archiveDir: string) => `archive_batch ${path.relative(archiveDir, file)}`;

describe('settling the archive', () => {
  it('renames a recorded batch, and forgets one already renamed', () => {
    const { store, context, row, month, monthDir } = setup();
    const dir = store.retention.archiveDir;
    const recorded = writePendingBatch(dir, month, [row]);
    const renamed = writePendingBatch(dir, month, [{ ...row, jobId: 'b' }]);
    fs.renameSync(renamed.pendingFile, renamed.finalFile);
    context.connection.sqlite.prepare('DELETE FROM sync_history').run();
    for (const batch of [recorded, renamed])
      context.repos.storeMeta.put(recordKey(batch.pendingFile, dir), 1);

    store.retention.runMaintenance();
    expect(listDir(monthDir)).toEqual(
      [path.basename(recorded.finalFile), path.basename(renamed.finalFile)].sort(),
    );
    expect(
      readArchive(monthDir)
        .map((r) => r.jobId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(rows(store, "SELECT key FROM store_meta WHERE key LIKE 'archive_batch%'")).toEqual([]);
  });

  it('reports a recorded batch whose file is gone', () => {
    const { store, context, warnings } = setup();
    context.repos.storeMeta.put(`archive_batch 2026-10/0000000001-00000000.jsonl.gz.pending-1-abc`, 1);
    store.retention.runMaintenance();
    expect(warnings).toContainEqual(
      expect.objectContaining({
        code: 'CORRUPT',
        message: expect.stringMatching(/recorded as archived but its file is gone/),
      }),
    );
    expect(rows(store, "SELECT key FROM store_meta WHERE key LIKE 'archive_batch%'")).toEqual([]);
  });

  it('never renames through a month folder that became a link, and keeps its record', () => {
    const { store, context, warnings } = setup();
    const dir = store.retention.archiveDir;
    const outside = tmp.join('outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, '0000000001-00000000.jsonl.gz.pending-1-abc'), 'not ours');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.symlinkSync(outside, path.join(dir, '2026-09'));
    context.repos.storeMeta.put('archive_batch 2026-09/0000000001-00000000.jsonl.gz.pending-1-abc', 1);
    store.retention.runMaintenance();
    expect(listDir(outside)).toEqual(['0000000001-00000000.jsonl.gz.pending-1-abc']);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        code: 'UNSAFE_PATH',
        message: expect.stringContaining(
          'is not a folder of the archive (a link?); its recorded batch is left as it is',
        ),
      }),
    );
    expect(rows(store, "SELECT key FROM store_meta WHERE key LIKE 'archive_batch%'")).toHaveLength(1);
  });

  it.each([
    ['outside the archive folder', '../0000000001-00000000.jsonl.gz.pending-1-abc'],
    ['in a folder that is not a month', 'notes/0000000001-00000000.jsonl.gz.pending-1-abc'],
    ['not named as a pending batch', '2026-10/0000000001-00000000.jsonl.gz.notes'],
  ])('never renames a file a hand-edited record names %s', (_where, relative) => {
    const { store, context } = setup();
    const dir = store.retention.archiveDir;
    const named = path.join(dir, relative);
    fs.mkdirSync(path.dirname(named), { recursive: true, mode: 0o700 });
    fs.writeFileSync(named, 'not an archive batch');
    context.repos.storeMeta.put(`archive_batch ${relative}`, 1);
    store.retention.runMaintenance();
    expect(fs.readFileSync(named, 'utf8')).toBe('not an archive batch');
    expect(listDir(path.dirname(named)).filter((name) => name.startsWith('0000000001-00000000'))).toEqual([
      path.basename(named),
    ]);
  });

  it('deletes pending files of dead writers and of another boot, and keeps those of a live one', () => {
    const { store, row, month, monthDir } = setup();
    const dir = store.retention.archiveDir;
    const live = writePendingBatch(dir, month, [row]);
    const name = path.basename(live.finalFile);
    const deadPid = path.join(
      monthDir,
      `${name.replace('.jsonl.gz', '1.jsonl.gz')}.pending-4194999-${live.pendingFile.split('-').pop()}`,
    );
    const otherBoot = path.join(
      monthDir,
      `${name.replace('.jsonl.gz', '2.jsonl.gz')}.pending-${process.pid}-0ther0b00t`,
    );
    fs.writeFileSync(deadPid, 'x');
    fs.writeFileSync(otherBoot, 'x');
    fs.symlinkSync(
      tmp.join('nowhere'),
      path.join(monthDir, `${name.replace('.jsonl.gz', '3.jsonl.gz')}.pending-4194999-abc`),
    );
    const report = store.retention.runMaintenance();
    expect(report.archive.rows).toBe(1);
    const left = listDir(monthDir);
    expect(left).toContain(path.basename(live.pendingFile));
    expect(left).not.toContain(path.basename(deadPid));
    expect(left).not.toContain(path.basename(otherBoot));
    expect(left.filter((n) => n.endsWith('.pending-4194999-abc'))).toHaveLength(1);
  });
});

describe('a pending batch file', () => {
  it("is named after its writer: this process's pid and the first 12 letters and digits of this boot's id", () => {
    const { store, row, month } = setup();
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const tag = bootId
      .replace(/[^0-9a-z]/gi, '')
      .slice(0, 12)
      .toLowerCase();
    expect(tag).toHaveLength(12);
    const batch = writePendingBatch(store.retention.archiveDir, month, [row]);
    expect(path.basename(batch.pendingFile)).toMatch(
      new RegExp(`^\\d{10}-[0-9a-f]{8}\\.jsonl\\.gz\\.pending-${process.pid}-${tag}$`),
    );
  });
});

describe('writing a pending batch file', () => {
  it('writes it whole when the system writes it in pieces', () => {
    const { store, row, month } = setup();
    const write = fs.writeSync;
    jest
      .spyOn(fs, 'writeSync')
      .mockImplementationOnce(((fd: number, data: Buffer, at: number, length: number) =>
        write(fd, data, at, Math.ceil(length / 2))) as typeof fs.writeSync);
    try {
      const batch = writePendingBatch(store.retention.archiveDir, month, [row]);
      expect(fs.statSync(batch.pendingFile).size).toBe(batch.bytes);
      fs.renameSync(batch.pendingFile, batch.finalFile);
      expect(readArchive(batch.finalFile)).toEqual([row]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('a batch file made durable', () => {
  it('is fsynced with its month folder and the archive folder when written, and its folder again when published, leaving no descriptor open', () => {
    const { store, row, month, monthDir } = setup();
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const synced: string[] = [];
    const fsync = fs.fsyncSync;
    jest.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
      synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
      return fsync(fd);
    });
    try {
      const before = openFds();
      const batch = writePendingBatch(store.retention.archiveDir, month, [row]);
      expect(synced).toEqual([batch.pendingFile, monthDir, store.retention.archiveDir]);
      synced.length = 0;
      expect(publishBatch(batch.pendingFile)).toBe('published');
      expect(synced).toEqual([monthDir]);
      expect(openFds()).toBe(before);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('writing a pending batch file that fails', () => {
  it('throws, and leaves no file behind', () => {
    const { store, row, month, monthDir } = setup();
    jest.spyOn(fs, 'fsyncSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: fsync'), { code: 'EIO' });
    });
    try {
      expect(() => writePendingBatch(store.retention.archiveDir, month, [row])).toThrow(/EIO: fsync/);
    } finally {
      jest.restoreAllMocks();
    }
    expect(listDir(monthDir)).toEqual([]);
  });
});

describe('abandonedPendingFiles', () => {
  const DEAD = '0000000001-00000000.jsonl.gz.pending-4194999-abc';

  it("lists exactly the dead writers' pending files of month folders, none through a link or elsewhere", () => {
    const archive = tmp.join('archive');
    const outside = tmp.join('outside');
    for (const folder of ['2026-10', 'notes', 'damaged'])
      fs.mkdirSync(path.join(archive, folder), { recursive: true });
    fs.mkdirSync(outside);
    for (const folder of ['2026-10', 'notes', 'damaged'])
      fs.writeFileSync(path.join(archive, folder, DEAD), 'x');
    fs.writeFileSync(path.join(outside, DEAD), 'x');
    fs.symlinkSync(outside, path.join(archive, '2026-09'));
    fs.writeFileSync(path.join(archive, '2026-08'), 'a file where a month folder would be');
    const recorded = path.join(archive, '2026-10', DEAD.replace('-abc', '-abd'));
    fs.writeFileSync(recorded, 'x');
    expect(abandonedPendingFiles(archive, new Set([recorded])).sort()).toEqual([
      path.join(archive, '2026-10', DEAD),
      path.join(archive, 'damaged', DEAD),
    ]);
  });

  it('lists nothing for an archive folder that is missing or a link', () => {
    expect(abandonedPendingFiles(tmp.join('none'), new Set())).toEqual([]);
    fs.mkdirSync(tmp.join('real/2026-10'), { recursive: true });
    fs.writeFileSync(tmp.join('real/2026-10', DEAD), 'x');
    fs.symlinkSync(tmp.join('real'), tmp.join('linked'));
    expect(abandonedPendingFiles(tmp.join('linked'), new Set())).toEqual([]);
  });
});
