/**
 * How long `store.metrics.report()` takes on a big history. Not a test (no timed
 * assertions): run it and read the figures.
 *
 *   npx tsx scripts/measure-metrics-report.ts [syncs=10000] [days=30]
 *
 * Builds `syncs` syncs spread over 30 days (6% failed, 2% resumed chains, 1% cancelled)
 * through the real repositories, then times report({ days }) per call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openProgressStore } from '../src';
import { openStoreDatabase } from '../src/db/open-store-database';
import { DEFAULT_PHASES } from '../src/services/recording/recording-input';
import { HistoryFactory, type SyntheticSync } from '../test/support/history-factory';

const syncs = Number(process.argv[2] ?? 10_000);
const days = Number(process.argv[3] ?? 30);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);

/** Deterministic pseudo-random numbers, so every run measures the same history. */
let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

function synthetic(startTime: number): SyntheticSync {
  const phaseDurations = Object.fromEntries(
    DEFAULT_PHASES.map((p) => [p.name, Math.round(1_000 + random() * 60_000 * p.weight * 4)]),
  );
  const roll = random();
  const status = roll < 0.06 ? 'failed' : roll < 0.07 ? 'cancelled' : 'completed';
  return {
    startTime,
    status,
    phaseDurations,
    filesIndexed: Math.round(random() * 2_000),
    bytesProcessed: Math.round(random() * 50_000_000),
    error: { code: random() < 0.5 ? 'ETIMEDOUT' : 'EACCES', message: 'Network timeout' },
  };
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cidx-metrics-measure-'));
  try {
    const dbPath = path.join(dir, 'measure.db');
    const connection = openStoreDatabase(dbPath, { now: () => NOW, warn: () => {} });
    const factory = new HistoryFactory(connection, 'measure');
    const built = Date.now();
    factory.batch(() => {
      for (let i = 0; i < syncs; i++) {
        const start = NOW - 30 * DAY + Math.floor((i * 30 * DAY) / syncs);
        if (random() < 0.02) {
          const first = synthetic(start);
          factory.addChain([
            { ...first, status: 'failed' },
            { ...synthetic(start + 60_000), status: 'completed' },
          ]);
        } else {
          factory.add(synthetic(start));
        }
      }
    });
    connection.sqlite.close();
    process.stderr.write(`built ${syncs} syncs in ${Date.now() - built} ms\n`);

    const store = openProgressStore({
      projectId: 'measure',
      dir,
      clock: { now: () => NOW, monotonic: () => performance.now() },
    });
    // The floor, timed in the same loop so it sees the same machine load: one plain read of
    // every completed sync's phase durations in the window, each parsed (what any per-phase
    // percentile needs), on a second connection.
    const raw = new BetterSqlite3(dbPath, { readonly: true });
    const floorQuery = raw
      .prepare(
        "SELECT total_duration, phase_durations FROM sync_history WHERE start_time >= ? AND start_time < ? AND status = 'completed'",
      )
      .raw(true);
    const floor = () => {
      for (const row of floorQuery.all(NOW - days * DAY, NOW) as [number, string][]) JSON.parse(row[1]);
    };
    const report = timed(60, () => store.metrics.report({ days, timeZone: 'Europe/Berlin' }));
    const reference = timed(60, floor);
    const estimate = timed(25, () =>
      store.metrics.estimateRemaining({
        phase: 'Git Merge',
        percent: 35,
        phasePercent: 50,
        filesProcessed: 0,
        totalFiles: 0,
        rate: 0,
      }),
    );
    raw.close();
    store.close();
    const fmt = (n: number) => n.toFixed(1);
    const [load] = os.loadavg();
    console.log(
      `report({ days: ${days} }) over ${syncs} syncs: first ${fmt(report.first)} ms, then min ${fmt(report.min)} / ` +
        `p50 ${fmt(report.p50)} / max ${fmt(report.max)} ms wall, cpu p50 ${fmt(report.cpuP50)} ms ` +
        `(load average ${load!.toFixed(1)} on ${os.cpus().length} cpus)`,
    );
    console.log(
      `floor (read + JSON.parse the window's phase durations): min ${fmt(reference.min)} / p50 ${fmt(reference.p50)} ms; ` +
        `report = ${fmt(report.p50 / reference.p50)} × floor`,
    );
    console.log(
      `estimateRemaining: first ${fmt(estimate.first)} ms (history query), then p50 ${fmt(estimate.p50)} ms (cached)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Time `calls` calls; the first (cold) is reported apart, the next few warm up and are dropped. */
function timed(calls: number, fn: () => unknown) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    const used = process.cpuUsage();
    fn();
    const { user, system } = process.cpuUsage(used);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((user + system) / 1000);
  }
  const first = wall[0]!;
  const warm = wall.slice(Math.min(10, calls >> 2)).sort((a, b) => a - b);
  const warmCpu = cpu.slice(Math.min(10, calls >> 2)).sort((a, b) => a - b);
  const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  return { first, min: warm[0]!, p50: mid(warm), max: warm[warm.length - 1]!, cpuP50: mid(warmCpu) };
}

main();
