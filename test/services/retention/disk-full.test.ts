import fs from 'node:fs';
import { openTestProgressStore, repoPaths, rows, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, seed, tableCounts } from './retention-fixtures';

const tmp = useTempDir();

/** A full disk, as SQLite sees it: the store's own connection may not grow the file by a page. */
function fillDisk(store: Parameters<typeof storeInternals>[0]): number {
  const { sqlite } = storeInternals(store).connection;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  sqlite.pragma(`max_page_count = ${pages}`);
  return pages;
}

const update = (percent: number) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: percent,
  filesProcessed: 0,
  totalFiles: 10,
  rate: 1,
});

describe('a write that finds the disk full', () => {
  it.each([
    ['history past 30 days (archived as usual)', 40 * DAY],
    ['syncs of the last hour (pruned early, under pressure)', 30 * 60_000],
  ])('runs maintenance once, retries once, and says how much space it recovered: %s', (_, age) => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    seed(
      store,
      ...Array.from({ length: 20 }, (_, i) => ({
        jobId: `old-${i}`,
        start: clock.now() - age - i * 60_000,
        trailRows: 300,
        outcome: 'completed' as const,
      })),
    );
    const sync = store.recording.startSync({ jobId: 'live', files: repoPaths(10) });
    const pages = fillDisk(store);
    expect(storeInternals(store).connection.sqlite.pragma('freelist_count', { simple: true })).toBe(0);

    // Progress rows until one needs a page the file does not have.
    let written = 0;
    for (let i = 1; i <= 2000 && !warnings.some((w) => w.code === 'RECOVERED'); i++) {
      clock.advance(1000);
      sync.update(update(Math.min(99, 40 + i / 100)));
      written = i;
    }
    const recovered = warnings.find((w) => w.code === 'RECOVERED');
    expect(recovered?.message).toMatch(
      /^progress live: the disk was full; maintenance freed \d+ bytes, trying once more$/,
    );
    expect(Number(/freed (\d+) bytes/.exec(recovered!.message)![1])).toBeGreaterThan(100_000);
    // The retried write went in; nothing was reported lost.
    expect(warnings.filter((w) => w.code === 'STORAGE_FULL')).toEqual([]);
    const last = rows<{ n: number }>(
      store,
      "SELECT count(*) AS n FROM progress_updates WHERE job_id = 'live'",
    )[0]!.n;
    expect(last).toBeGreaterThanOrEqual(written);
    // Old history or trails made the room; the file never grew.
    expect(tableCounts(store).trail).toBeLessThan(20 * 300);
    expect(
      storeInternals(store).connection.sqlite.pragma('page_count', { simple: true }),
    ).toBeLessThanOrEqual(pages);
    sync.finish();
  });

  it('reports the write as not saved when there is nothing to free, without throwing', () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const sync = store.recording.startSync({ jobId: 'alone', files: repoPaths(10) });
    fillDisk(store);
    for (let i = 1; i <= 2000 && !warnings.some((w) => w.code === 'STORAGE_FULL'); i++) {
      clock.advance(1000);
      expect(() => sync.update(update(Math.min(99, i / 25)))).not.toThrow();
    }
    expect(warnings.find((w) => w.code === 'RECOVERED')?.message).toMatch(/maintenance freed 0 bytes/);
    expect(warnings.some((w) => w.code === 'STORAGE_FULL')).toBe(true);
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'alone'")).toEqual([
      { status: 'running' },
    ]);
  });
});

describe('maintenance that fails on a full disk', () => {
  it('is reported, and the write still gets its one retry', () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    seed(
      store,
      ...Array.from({ length: 20 }, (_, i) => ({
        jobId: `old-${i}`,
        start: clock.now() - 40 * DAY - i * 60_000,
        trailRows: 300,
        outcome: 'completed' as const,
      })),
    );
    // Archiving cannot write: the archive folder's name is taken by a file.
    fs.writeFileSync(store.retention.archiveDir, 'in the way');
    const sync = store.recording.startSync({ jobId: 'live' });
    fillDisk(store);
    for (let i = 1; i <= 2000 && !warnings.some((w) => w.code === 'RECOVERED'); i++) {
      clock.advance(1000);
      expect(() => sync.update(update(Math.min(99, i / 25)))).not.toThrow();
    }
    const failed = warnings.findIndex((w) => w.message.startsWith('maintenance on a full disk failed'));
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(warnings[failed]!.code).toBe('STORAGE_FULL');
    expect(warnings[failed + 1]?.code).toBe('RECOVERED');
  });
});
