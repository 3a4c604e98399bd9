import path from 'node:path';
import { lastJsonLine, startChild } from '../../support/child-process';
import { useTempDir } from '../../support/temp-dir';
import { conservation, seedOldSyncs } from './archive-conservation';

/**
 * Two maintenance runs in two processes (issue: one stalled 3 s before finishing its
 * archive write, the other started 0.5 s later lost 1,000 rows for good), and a dead
 * maintainer's lease taken over.
 */
const tmp = useTempDir();
const maintainer = path.join(__dirname, 'children', 'run-maintenance.js');

interface ChildReport {
  reports?: Array<{
    archive: { rows: number };
    removed: { syncHistory: { rows: number } };
    skipped?: { reason: string; owner: { pid: number } };
  }>;
  error?: { code: string; message: string };
  warnings: string[];
}

const dbPath = () => tmp.join('acme-api.db');
const archiveDir = () => tmp.join('acme-api.archive');

describe('maintenance in two processes at once', () => {
  it('loses and duplicates nothing when the first stalls mid-archive and the second starts 0.5 s later', async () => {
    const finished = seedOldSyncs(tmp.path, 3000);
    const a = startChild(maintainer, [tmp.path, 'acme-api'], { env: { ...process.env, STALL_MS: '3000' } });
    await a.waitForLine('stalling', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const b = startChild(maintainer, [tmp.path, 'acme-api']);
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    const reportA = lastJsonLine<ChildReport>(ra.stdout);
    const reportB = lastJsonLine<ChildReport>(rb.stdout);
    expect(reportA.error).toBeUndefined();
    expect(reportB.error).toBeUndefined();

    const result = conservation(finished, dbPath(), archiveDir());
    expect(result).toEqual({
      finished: 3000,
      inDatabase: 0,
      inArchive: 3000,
      lost: [],
      duplicated: [],
      unknown: [],
    });
    const archivedBy = (r: ChildReport) => r.reports![0]!.archive.rows;
    expect(archivedBy(reportA) + archivedBy(reportB)).toBe(3000);
    // B either waited for A's lease and found nothing left, or said it did not run.
    const skipped = reportB.reports![0]!.skipped;
    if (skipped) expect(skipped).toMatchObject({ reason: 'busy', owner: { pid: a.process.pid } });
    else expect(archivedBy(reportB)).toBe(0);
  });

  it('makes the second run wait a bounded time, then report that it did not run and who holds the lease', async () => {
    const finished = seedOldSyncs(tmp.path, 600);
    const a = startChild(maintainer, [tmp.path, 'acme-api'], { env: { ...process.env, STALL_MS: '20000' } });
    await a.waitForLine('stalling', 30_000);
    const started = Date.now();
    const b = await startChild(maintainer, [tmp.path, 'acme-api'], {
      env: { ...process.env, LOCK_TIMEOUT_MS: '800' },
    }).exited;
    const waited = Date.now() - started;
    const report = lastJsonLine<ChildReport>(b.stdout).reports![0]!;
    expect(report.skipped).toMatchObject({ reason: 'busy', owner: { pid: a.process.pid } });
    expect(report.archive.rows).toBe(0);
    expect(waited).toBeGreaterThanOrEqual(800);
    a.process.kill('SIGKILL');
    await a.exited;
    // A died holding the lease and a pending file: the next run takes over and settles.
    expect((await startChild(maintainer, [tmp.path, 'acme-api']).exited).code).toBe(0);
    expect(conservation(finished, dbPath(), archiveDir())).toMatchObject({
      inDatabase: 0,
      inArchive: 600,
      lost: [],
      duplicated: [],
    });
  });

  it('takes over the lease of a maintainer killed mid-archive, and settles what it left', async () => {
    const finished = seedOldSyncs(tmp.path, 1200);
    const a = startChild(maintainer, [tmp.path, 'acme-api'], { env: { ...process.env, STALL_MS: '20000' } });
    await a.waitForLine('stalling', 30_000);
    a.process.kill('SIGKILL');
    await a.exited;
    const b = await startChild(maintainer, [tmp.path, 'acme-api']).exited;
    const reportB = lastJsonLine<ChildReport>(b.stdout);
    expect(reportB.error).toBeUndefined();
    expect(reportB.reports![0]!.skipped).toBeUndefined();
    expect(conservation(finished, dbPath(), archiveDir())).toMatchObject({
      inDatabase: 0,
      inArchive: 1200,
      lost: [],
      duplicated: [],
    });
  });
});
