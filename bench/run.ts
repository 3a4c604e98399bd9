/**
 * `npm run bench`: every figure of the story, measured against raw better-sqlite3 doing
 * the smallest equivalent work in the same run. `npm run bench -- --quick` runs small
 * sizes (CI keeps the script from rotting; it reports, it does not gate).
 *
 * Options: --quick, --only=<group>[,<group>] (update, checkpoint, resume, loop, report, maintenance,
 * many-stores), --sizes=<n>[,<n>] (repository sizes for checkpoint, resume and loop; default 10k, 100k, 500k).
 */
import { benchCheckpoints } from './checkpoint.bench';
import { loadAverage, machine } from './machine';
import { benchMaintenance } from './maintenance.bench';
import { benchManyStores } from './many-stores.bench';
import { benchReport } from './report.bench';
import { benchLoop } from './loop.bench';
import { benchResume } from './resume.bench';
import { benchUpdates } from './update.bench';
import { BenchClock, openBenchStore, removeDir, storageSettings, storeSqlite, tempDir } from './fixture';
import { collectGarbage, formatMs, timerOverhead } from './harness';
import { markdownTable, notes, type ResultRow } from './table';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (group: string) => !only || only.includes(group);

const sizesArg = args
  .find((a) => a.startsWith('--sizes='))
  ?.slice('--sizes='.length)
  .split(',')
  .map(Number);
const SIZES = sizesArg ?? (quick ? [1_000, 5_000] : [10_000, 100_000, 500_000]);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function settingsLine(): string {
  const dir = tempDir('settings');
  try {
    const store = openBenchStore(dir, { clock: new BenchClock() });
    const s = storageSettings(storeSqlite(store));
    store.close();
    return (
      `storage: journal_mode=${s.journalMode}, synchronous=${s.synchronous}, ` +
      `wal_autocheckpoint=${s.walAutocheckpoint}, page_size=${s.pageSize}, SQLite ${s.sqliteVersion}`
    );
  } finally {
    removeDir(dir);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const date = new Date(started).toISOString();
  const loadBefore = loadAverage();
  const rows: ResultRow[] = [];
  const overhead = timerOverhead();
  const groups: [string, () => ResultRow[] | Promise<ResultRow[]>][] = [
    ['update', () => benchUpdates({ iterations: quick ? 2_000 : 20_000 })],
    ['checkpoint', () => benchCheckpoints({ sizes: SIZES, quick })],
    ['resume', () => benchResume({ sizes: SIZES, quick })],
    ['loop', () => benchLoop({ sizes: SIZES, quick })],
    ['report', () => benchReport({ syncCounts: quick ? [100, 1_000] : [1_000, 10_000] })],
    ['maintenance', () => benchMaintenance({ quick })],
    ['many-stores', () => benchManyStores({ quick })],
  ];
  for (const [name, run] of groups) {
    if (!wanted(name)) continue;
    log(`running ${name}…`);
    const t = Date.now();
    rows.push(...(await run()));
    log(`  ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    collectGarbage();
  }
  const lines = [
    `# cidx-progress benchmarks${quick ? ' (quick: small sizes, not the published figures)' : ''}`,
    '',
    `date: ${date} (start)`,
    machine(),
    settingsLine(),
    `timer: process.hrtime.bigint(), one call per sample; an empty call measures p50 ${formatMs(overhead.p50)}, p99 ${formatMs(overhead.p99)}`,
    `command: npm run bench -- ${args.join(' ')}`.trimEnd(),
    '',
    markdownTable(rows),
    '',
    notes(rows),
    '',
    `total time: ${((Date.now() - started) / 1000).toFixed(0)} s; load average (1 / 5 / 15 min) at the start ${loadBefore}, at the end ${loadAverage()}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
