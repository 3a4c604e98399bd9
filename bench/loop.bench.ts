/**
 * The recording loop as CIDX runs it: per file, completeFiles([path]) then update(), over
 * a whole repository, with checkpoints at every 5% (the clock is frozen, so the throttle
 * never lets a plain progress row through: the writes are the 20 checkpoints). Figures
 * are per file: each round's loop time divided by its files.
 */
import type { Database } from 'better-sqlite3';
import { indexing } from './checkpoint.bench';
import { collectGarbage, nowMs, stats } from './harness';
import { BenchClock, openBenchStore, removeDir, storeSqlite, tempDir } from './fixture';
import { repositoryPaths } from './paths';
import type { ResultRow } from './table';
import { encodeOrdinals } from '../src/repositories/file-log-codec';

export interface LoopBenchOptions {
  sizes: number[];
  quick: boolean;
}

const GOALS_US: Record<number, number> = { 100_000: 1.5 };

/**
 * The smallest equivalent work in plain code: per file a Map lookup, a state byte and the
 * ordinal kept; per 5% one prepared INSERT of the packed ordinals, in a transaction.
 */
function rawLoop(sqlite: Database, paths: string[]): number {
  const index = new Map<string, number>();
  for (let i = 0; i < paths.length; i++) index.set(paths[i]!, i);
  const states = new Uint8Array(paths.length);
  const insert = sqlite.prepare(
    "INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum) VALUES ('raw', 'raw', ?, 'completed', 0, ?, ?, 0)",
  );
  const write = sqlite.transaction((seq: number, ordinals: number[]) =>
    insert.run(seq, ordinals.length, encodeOrdinals(ordinals)),
  );
  const step = Math.ceil(paths.length / 20);
  let ordinals: number[] = [];
  const start = nowMs();
  for (let i = 0; i < paths.length; i++) {
    const o = index.get(paths[i]!)!;
    states[o] = 2;
    ordinals.push(o);
    if ((i + 1) % step === 0 || i === paths.length - 1) {
      write.immediate(i, ordinals);
      ordinals = [];
    }
  }
  return (nowMs() - start) / paths.length;
}

function loopRounds(paths: string[], rounds: number) {
  const dir = tempDir('loop');
  const perFile: number[] = [];
  const perFileCpu: number[] = [];
  const completeOnly: number[] = [];
  const raw: number[] = [];
  try {
    const clock = new BenchClock();
    const store = openBenchStore(dir, { clock });
    const n = paths.length;
    for (let r = 0; r < rounds + 1; r++) {
      collectGarbage();
      const sync = store.recording.startSync({ gitCommit: 'a1b2c3d4'.padEnd(40, '0'), files: paths });
      sync.update(indexing(0, 0, n));
      const cpuBefore = process.cpuUsage();
      const start = nowMs();
      for (let i = 0; i < n; i++) {
        sync.completeFiles([paths[i]!]);
        sync.update(indexing((100 * (i + 1)) / n, i + 1, n));
      }
      const perFileMs = (nowMs() - start) / n;
      const cpuSpent = process.cpuUsage(cpuBefore);
      const perFileCpuMs = (cpuSpent.user + cpuSpent.system) / 1000 / n;
      if (sync.files.completed !== n) throw new Error('the loop did not complete every file');
      sync.finish();
      collectGarbage();
      // completeFiles alone, on a fresh sync (no update, so no checkpoint).
      const alone = store.recording.startSync({ gitCommit: 'a1b2c3d4'.padEnd(40, '0'), files: paths });
      const t = nowMs();
      for (let i = 0; i < n; i++) alone.completeFiles([paths[i]!]);
      const completeMs = (nowMs() - t) / n;
      alone.finish();
      collectGarbage();
      const rawMs = rawLoop(storeSqlite(store), paths);
      if (r === 0) continue; // warms the code
      perFile.push(perFileMs);
      perFileCpu.push(perFileCpuMs);
      completeOnly.push(completeMs);
      raw.push(rawMs);
    }
    store.close();
  } finally {
    removeDir(dir);
  }
  return { perFile, perFileCpu, completeOnly, raw };
}

export function benchLoop(options: LoopBenchOptions): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const size of options.sizes.filter((s) => options.quick || s <= 100_000)) {
    const result = loopRounds(repositoryPaths(size), options.quick ? 1 : 5);
    const s = stats(result.perFile);
    const goal = GOALS_US[size];
    const label = `${size.toLocaleString('en-US')} files`;
    rows.push(
      {
        operation: 'recording loop per file: completeFiles([path]) + update(), checkpoints at 5%',
        size: label,
        stats: s,
        baseline: {
          label:
            'plain code per file (Map lookup, state byte, ordinal kept) and the packed ordinals inserted per 5%, prepared',
          stats: stats(result.raw),
        },
        goal: goal ? `≤ ${goal} µs (mean of a round, p99 of rounds)` : '—',
        met: goal ? s.p99 <= goal / 1000 : null,
        note: 'each sample is one round over the whole repository, divided by its files',
      },
      {
        operation: '  same, CPU time of this process per file (user + system, all threads)',
        size: label,
        stats: stats(result.perFileCpu),
        goal: '(what it costs without waiting for a core)',
        met: null,
      },
      {
        operation: '  of which: completeFiles([path]) alone',
        size: label,
        stats: stats(result.completeOnly),
        goal: '(breakdown)',
        met: null,
      },
    );
  }
  return rows;
}
