import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArchiveDamagedError, readArchive } from '../../../src';
import type { SyncHistoryRow } from '../../../src/schema';
import { openTestProgressStore, storeInternals } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, seed, writeV01MonthFile } from './retention-fixtures';

/**
 * Finding 2: a damaged archive file was appended to (the new rows then lost with it) and
 * made readArchive fail on the whole file. Now it is set aside, never written or pruned,
 * and read back as far as it can be.
 */
const tmp = useTempDir();
const OCTOBER = Date.UTC(2026, 9, 3);

function open() {
  return openTestProgressStore(tmp.path, { autoMaintenance: false });
}

/** `count` real sync rows of October, taken out of the database again (as if archived by 0.1). */
function archivedRows(
  store: ReturnType<typeof open>['store'],
  prefix: string,
  count: number,
): SyncHistoryRow[] {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  seed(
    store,
    ...ids.map((jobId, i) => ({
      jobId,
      start: OCTOBER + i * 60_000,
      trailRows: 2,
      outcome: 'completed' as const,
    })),
  );
  const { repos, connection } = storeInternals(store);
  const rows = repos.syncHistory.listByJobIds(ids);
  connection.sqlite.prepare(`DELETE FROM progress_updates WHERE job_id LIKE '${prefix}-%'`).run();
  // As the archiver leaves them: the syncs' figures go with their rows.
  repos.syncFigures.deleteFor(ids);
  connection.sqlite.prepare(`DELETE FROM sync_history WHERE job_id LIKE '${prefix}-%'`).run();
  return rows;
}

function damageOf(read: () => unknown): ArchiveDamagedError {
  try {
    read();
  } catch (error) {
    if (error instanceof ArchiveDamagedError) return error;
    throw error;
  }
  throw new Error('expected ArchiveDamagedError');
}

const newSyncs = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    jobId: `new-${i}`,
    start: OCTOBER + DAY + i * 60_000,
    trailRows: 2,
    outcome: 'completed' as const,
  }));

describe('a damaged archive file', () => {
  it('truncated: is set aside and reported, never appended to, and read back as far as it goes', () => {
    const { store, clock, warnings } = open();
    const old = archivedRows(store, 'old', 30);
    const dir = store.retention.archiveDir;
    const file = writeV01MonthFile(dir, '2026-10', old.slice(0, 10), old.slice(10, 20), old.slice(20));
    fs.truncateSync(file, 1000);
    seed(store, ...newSyncs(10));

    const report = store.retention.runMaintenance();
    const aside = `${file}.corrupt-${clock.now()}`;
    expect(listDir(dir)).toEqual(['2026-10', path.basename(aside)]);
    expect(fs.statSync(aside).size).toBe(1000);
    expect(warnings).toContainEqual(
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining(aside) }),
    );
    expect(report.removed.syncHistory.rows).toBe(10);
    expect(readArchive(path.join(dir, '2026-10')).map((r) => r.jobId)).toEqual(
      newSyncs(10).map((s) => s.jobId),
    );

    const damage = damageOf(() => readArchive(aside));
    expect(damage.code).toBe('CORRUPT');
    // The first member is whole; the second gives back its complete lines; the rest is lost.
    const recovered = damage.rows.map((r) => r.jobId);
    expect(recovered.length).toBeGreaterThanOrEqual(10);
    expect(recovered).toEqual(old.slice(0, recovered.length).map((r) => r.jobId));
    expect(damage.rows).toEqual(old.slice(0, recovered.length));
    expect(damage.damaged).toEqual([
      expect.objectContaining({ file: aside, line: null, reason: expect.stringMatching(/cut short/) }),
    ]);
    // Reading the whole archive gives everything readable and says what is not.
    const all = damageOf(() => readArchive(dir));
    expect(all.rows).toHaveLength(recovered.length + 10);
  });

  it('with a line that is not a sync row: loses only that line', () => {
    const { store, clock, warnings } = open();
    const old = archivedRows(store, 'old', 10);
    const dir = store.retention.archiveDir;
    const file = path.join(dir, '2026-10.jsonl.gz');
    const line = (row: SyncHistoryRow) => `${JSON.stringify(row)}\n`;
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.writeFileSync(
      file,
      Buffer.concat([
        gzipSync(old.slice(0, 5).map(line).join('')),
        gzipSync(`not json\n${line(old[5]!)}`),
        gzipSync(old.slice(6).map(line).join('')),
      ]),
    );
    seed(store, ...newSyncs(1));
    store.retention.runMaintenance();
    const aside = `${file}.corrupt-${clock.now()}`;
    expect(warnings).toContainEqual(expect.objectContaining({ code: 'CORRUPT' }));
    const damage = damageOf(() => readArchive(aside));
    expect(damage.rows).toEqual(old);
    expect(damage.damaged).toEqual([
      expect.objectContaining({ line: 1, bytes: 0, reason: expect.stringMatching(/not a sync row/) }),
    ]);
  });

  it('with bytes flipped inside one member: the members after it are still read', () => {
    const { store } = open();
    const old = archivedRows(store, 'old', 30);
    const file = writeV01MonthFile(
      store.retention.archiveDir,
      '2026-10',
      old.slice(0, 10),
      old.slice(10, 20),
      old.slice(20),
    );
    const bytes = fs.readFileSync(file);
    const second = bytes.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10);
    for (let i = second + 30; i < second + 60; i++) bytes[i] = bytes[i]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const damage = damageOf(() => readArchive(file));
    expect(damage.rows.map((r) => r.jobId)).toEqual(
      [...old.slice(0, 10), ...old.slice(20)].map((r) => r.jobId),
    );
    expect(damage.damaged).toHaveLength(1);
    expect(damage.damaged[0]!.offset).toBe(second);
    expect(damage.damaged[0]!.bytes).toBeGreaterThan(0);
  });

  it('is never deleted by pruning, even past the archive window', () => {
    const { store, warnings } = open();
    const dir = store.retention.archiveDir;
    const old = archivedRows(store, 'old', 3);
    const damaged = writeV01MonthFile(dir, '2025-01', old);
    fs.truncateSync(damaged, 200);
    fs.mkdirSync(path.join(dir, '2025-02'), { mode: 0o700 });
    const setAside = path.join(dir, '2025-02', '0000000001-00aa00bb.jsonl.gz.corrupt-1700000000000');
    fs.writeFileSync(setAside, 'kept for a person to look at');
    const report = store.retention.runMaintenance();
    expect(report.archive.filesDeleted).toEqual([]);
    expect(listDir(dir)).toEqual([
      '2025-01.jsonl.gz.corrupt-' + storeInternals(store).clock.now(),
      '2025-02',
    ]);
    expect(listDir(path.join(dir, '2025-02'))).toEqual([path.basename(setAside)]);
    expect(warnings.filter((w) => w.code === 'CORRUPT')).toHaveLength(1);
    // A second run leaves both where they are.
    expect(store.retention.runMaintenance().archive.filesDeleted).toEqual([]);
  });

  it('past the archive window in a dry run: left where it is, and the warning says it would be set aside', () => {
    const { store, warnings } = open();
    const dir = store.retention.archiveDir;
    const damaged = writeV01MonthFile(dir, '2025-01', archivedRows(store, 'old', 3));
    fs.truncateSync(damaged, 200);
    const report = store.retention.runMaintenance({ dryRun: true });
    expect(report.archive.filesDeleted).toEqual([]);
    expect(listDir(dir)).toEqual(['2025-01.jsonl.gz']);
    expect(warnings.filter((w) => w.code === 'CORRUPT')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/; it would be set aside as .*2025-01\.jsonl\.gz\.corrupt-\d+, never/),
      }),
    ]);
  });
});
