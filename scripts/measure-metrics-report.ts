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
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

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
          factory.addChain([{ ...first, status: 'failed' }, { ...synthetic(start + 60_000), status: 'completed' }]);
        } else {
          factory.add(synthetic(start));
        }
      }
    });
    connection.sqlite.close();
    process.stderr.write(`built ${syncs} syncs in ${Date.now() - built} ms\n`);

    const store = openProgressStore({ projectId: 'measure', dir, clock: { now: () => NOW, monotonic: () => performance.now() } });
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 25; i++) {
      const start = process.hrtime.bigint();
      const used = process.cpuUsage();
      store.metrics.report({ days, timeZone: 'Europe/Berlin' });
      const { user, system } = process.cpuUsage(used);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      cpu.push((user + system) / 1000);
    }
    const estimate: number[] = [];
    for (let i = 0; i < 25; i++) {
      const start = process.hrtime.bigint();
      store.metrics.estimateRemaining({ phase: 'Git Merge', percent: 35, phasePercent: 50, filesProcessed: 0, totalFiles: 0, rate: 0 });
      estimate.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    store.close();
    const warm = times.slice(5).sort((a, b) => a - b);
    const warmCpu = cpu.slice(5).sort((a, b) => a - b);
    const fmt = (n: number) => n.toFixed(1);
    const [load] = os.loadavg();
    console.log(
      `report({ days: ${days} }) over ${syncs} syncs: first ${fmt(times[0]!)} ms, ` +
        `then p50 ${fmt(warm[Math.floor(warm.length / 2)]!)} ms, max ${fmt(warm[warm.length - 1]!)} ms wall ` +
        `(cpu p50 ${fmt(warmCpu[Math.floor(warmCpu.length / 2)]!)} ms; ${warm.length} calls; load average ${load!.toFixed(1)} on ${os.cpus().length} cpus)`,
    );
    console.log(`estimateRemaining: first ${fmt(estimate[0]!)} ms (history query), then ${fmt(estimate[estimate.length - 1]!)} ms (cached)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
