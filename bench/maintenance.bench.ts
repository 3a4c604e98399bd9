import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { openProgressStore } from '../src';
import type { Clock } from '../src/clock';
import type { MaintenanceReport } from '../src/services/retention/maintenance-report';
import { createHeavyMonthStore, type HeavyMonthSummary } from '../test/support/heavy-month';
import { formatBytes, formatMs, sample, stats, type Stats } from './harness';
import { fileSizes, openBenchStore, removeDir, tempDir } from './fixture';
import { loadAverage } from './machine';
import { repositoryPaths } from './paths';
import type { ResultRow } from './table';

const PROJECT = 'bench-project';
const END = Date.UTC(2026, 10, 26, 9, 0, 0);
const MB = 1_000_000;

export interface MaintenanceBenchOptions {
  quick: boolean;
}

/** Wall time at the end of the heavy month, moving on in real time: maintenance times itself with it. */
function realTimeFrom(wall: number): Clock {
  const origin = performance.now();
  return { now: () => wall + Math.round(performance.now() - origin), monotonic: () => performance.now() };
}

/** Another writer on the file, in a worker thread: how long did it wait for the write lock? */
async function startLockProber(dbPath: string): Promise<() => Promise<Stats>> {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(path.join(__dirname, 'lock-prober.js'), { workerData: { dbPath, stop } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return async () => {
    const done = new Promise<number[]>((resolve, reject) => {
      worker.once('message', (m: { waits: number[] }) => resolve(m.waits));
      worker.once('error', reject);
    });
    Atomics.store(new Int32Array(stop), 0, 1);
    const waits = await done;
    await worker.terminate();
    return stats(waits);
  };
}

function notMeasured(reason: string): ResultRow[] {
  return [
    {
      operation: 'runMaintenance() on the 30-day heavy store',
      size: '—',
      stats: null,
      goal: '(report)',
      met: null,
      notMeasured: true,
      note: reason,
    },
    {
      operation: "  another writer's wait for the lock meanwhile (max = longest lock held)",
      size: '—',
      stats: null,
      goal: '(report)',
      met: null,
      notMeasured: true,
    },
    {
      operation: 'database size after the heavy month',
      size: '—',
      stats: null,
      goal: '≤ 50 MB',
      met: null,
      notMeasured: true,
    },
  ];
}

export async function benchMaintenance(options: MaintenanceBenchOptions): Promise<ResultRow[]> {
  const dir = tempDir('maintenance');
  const slicedDir = tempDir('maintenance-sliced');
  try {
    const dbPath = path.join(dir, `${PROJECT}.db`);
    const month: HeavyMonthSummary = createHeavyMonthStore(dbPath, {
      end: END,
      projectId: PROJECT,
      paths: (count, seed) => repositoryPaths(count, seed + 1),
      ...(options.quick ? { days: 2, filesPerCheckpoint: 5_000 } : {}),
    });
    // The same neglected file twice: once maintained in one go, once by the store itself in slices.
    fs.copyFileSync(dbPath, path.join(slicedDir, `${PROJECT}.db`));
    const opening = benchOpenNeglected(dir, dbPath, options.quick);
    const store = openBenchStore(dir, { projectId: PROJECT, clock: realTimeFrom(END) });
    const retention = (store as { retention?: { runMaintenance?: () => unknown } }).retention;
    if (typeof retention?.runMaintenance !== 'function') {
      store.close();
      return notMeasured('store.retention.runMaintenance() does not exist yet (issue 5)');
    }
    const before = fileSizes(dbPath);
    const stopProber = await startLockProber(dbPath);
    const started = performance.now();
    const report = store.retention.runMaintenance();
    const elapsed = performance.now() - started;
    const waited = await stopProber();
    store.close(); // the last connection: SQLite merges the WAL into the file and removes it
    const after = fileSizes(dbPath);
    const archive = path.join(dir, `${PROJECT}.archive`);
    const archived = fs.existsSync(archive)
      ? fs.readdirSync(archive).reduce((sum, f) => sum + fs.statSync(path.join(archive, f)).size, 0)
      : 0;
    const scope =
      `${month.syncs.toLocaleString('en-US')} syncs, ${month.trailRows.toLocaleString('en-US')} trail rows, ` +
      `${month.interrupted.length} interrupted with ${month.filePaths.toLocaleString('en-US')} checkpoint paths`;
    const one = (ms: number): Stats => ({ n: 1, p50: ms, p99: ms, max: ms, mean: ms });
    const size = after.db + after.wal;
    const sliced = await benchSlices(slicedDir, options.quick);
    return [
      ...opening,
      {
        operation: 'runMaintenance() on the 30-day heavy store',
        size: options.quick ? '2-day store' : '30 days',
        stats: one(elapsed),
        goal: '(report)',
        met: null,
        note: `${scope}; file before ${formatBytes(before.db + before.wal)}; ${report.transactions} write transactions; vacuum: ${report.vacuum.kind} (${report.vacuum.reason})`,
      },
      {
        operation: "  another writer's wait for the lock meanwhile (max = longest lock held)",
        size: options.quick ? '2-day store' : '30 days',
        stats: waited,
        goal: '(report; issue 5 aims at ~50 ms)',
        met: null,
        note:
          `a second connection in a worker thread took the write lock about every ms; ` +
          `maintenance's own figure for its longest transaction: ${report.longestTransactionMs.toFixed(1)} ms` +
          (report.vacuum.kind === 'full' ? `, the full VACUUM's: ${report.vacuum.lockMs.toFixed(0)} ms` : ''),
      },
      ...sliced,
      {
        operation: 'database size after the heavy month',
        size: options.quick ? '2-day store' : '30 days',
        stats: null,
        value: `${(size / MB).toFixed(1)} MB`,
        goal: '≤ 50 MB',
        met: options.quick ? null : size <= 50 * MB,
        note: `after maintenance, WAL merged (file ${formatBytes(after.db)}); before: ${formatBytes(before.db + before.wal)}; archive beside it: ${formatBytes(archived)}`,
      },
    ];
  } finally {
    removeDir(dir);
    removeDir(slicedDir);
  }
}

const quietStoreOptions = (dir: string) => ({
  projectId: PROJECT,
  dir,
  clock: realTimeFrom(END),
  onWarning: (w: { code: string; message: string }) =>
    process.stderr.write(`store warning ${w.code}: ${w.message}\n`),
  resourceProbe: () => ({ rssBytes: 200_000_000, cpuMicros: 0 }),
});

/**
 * openProgressStore() with its defaults (automatic maintenance on) on the neglected heavy
 * file, whose maintenance is due: opened and closed again before the first slice, so
 * every open finds it due. Baseline: a raw connection that opens the file and reads a row.
 */
function benchOpenNeglected(dir: string, dbPath: string, quick: boolean): ResultRow[] {
  const iterations = quick ? 10 : 40;
  const timed = sample(() => openProgressStore(quietStoreOptions(dir)).close(), { iterations, warmup: 2 });
  const raw = sample(
    () => {
      const db = new BetterSqlite3(dbPath);
      db.prepare("SELECT value FROM store_meta WHERE key = 'last_maintenance_at'").get();
      db.close();
    },
    { iterations, warmup: 2 },
  );
  const s = stats(timed);
  return [
    {
      operation: 'openProgressStore() on a neglected heavy file (maintenance due)',
      size: quick ? '2-day store' : '30 days',
      stats: s,
      baseline: { label: 'a raw connection opening the file and reading one row', stats: stats(raw) },
      goal: '≤ 50 ms p99',
      met: quick ? null : s.p99 <= 50,
      note: `open + close with automatic maintenance on; before: 13–15 s (the first maintenance ran inside open); load ${loadAverage()}`,
    },
  ];
}

/**
 * The store maintaining the neglected file by itself, in slices after open, with another
 * writer on the file meanwhile (the lock prober) and the event loop's delay measured.
 */
async function benchSlices(dir: string, quick: boolean): Promise<ResultRow[]> {
  const dbPath = path.join(dir, `${PROJECT}.db`);
  const stopProber = await startLockProber(dbPath);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const store = openProgressStore(quietStoreOptions(dir));
  loop.enable();
  const started = performance.now();
  while (store.retention.upkeep.state !== 'idle') await new Promise((resolve) => setTimeout(resolve, 20));
  const elapsed = performance.now() - started;
  loop.disable();
  const waited = await stopProber();
  const report: MaintenanceReport | null = store.retention.upkeep.lastReport;
  store.close();
  if (!report) throw new Error('the store finished its maintenance without a report');
  const size = quick ? '2-day store' : '30 days';
  const ms = (ns: number) => ns / 1e6;
  const vacuum =
    report.vacuum.kind === 'full'
      ? `full VACUUM held the lock ${formatMs(report.vacuum.lockMs)} (reported apart)`
      : `vacuum: ${report.vacuum.kind}`;
  return [
    {
      operation: 'maintenance in slices after open, until done',
      size,
      stats: { n: 1, p50: elapsed, p99: elapsed, max: elapsed, mean: elapsed },
      goal: '(report)',
      met: null,
      note: `${report.slices} slices (the longest ${formatMs(report.longestSliceMs)}), ${report.transactions} write transactions; ${vacuum}; load ${loadAverage()}`,
    },
    {
      operation: '  longest write-lock hold by maintenance (slices; VACUUM apart)',
      size,
      stats: null,
      value: formatMs(report.longestTransactionMs),
      goal: '≤ 20 ms',
      met: quick ? null : report.longestTransactionMs <= 20,
      note: `maintenance's own figure; before: 335 ms (the monthly VACUUM counted in), batches of 500 rows otherwise`,
    },
    {
      operation: "  another writer's wait for the lock meanwhile (slices)",
      size,
      stats: waited,
      goal: '≤ 50 ms',
      met: quick ? null : waited.p99 <= 50,
      note: 'the lock prober as above; judged on p99, since the max includes the VACUUM when one ran',
    },
    {
      operation: '  event-loop delay meanwhile (monitorEventLoopDelay)',
      size,
      stats: {
        n: loop.count,
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
        mean: ms(loop.mean),
      },
      goal: '(report)',
      met: null,
      note: 'how late a 5 ms timer of the caller fired while slices ran; the max is the VACUUM when one ran',
    },
  ];
}
