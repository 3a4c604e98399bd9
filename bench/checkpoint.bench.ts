import type { Database } from 'better-sqlite3';
import type { SyncRecorder } from '../src';
import { collectGarbage, stats, timeOnce } from './harness';
import { BenchClock, mergeWalBetweenCalls, openBenchStore, removeDir, storeSqlite, tempDir } from './fixture';
import { repositoryPaths } from './paths';
import type { ResultRow } from './table';

/** Checkpoints per sync: one per 5% of the files. */
const STEPS = 20;
const PATHS_PER_ROW = 10_000;

export interface CheckpointBenchOptions {
  sizes: number[];
  quick: boolean;
}

/** How many syncs to run per size, so each size has enough samples for a p99 that means something. */
function syncsFor(size: number, quick: boolean): number {
  if (quick) return 1;
  if (size <= 10_000) return 10;
  if (size <= 100_000) return 5;
  return 3;
}

export function indexing(percentDone: number, filesProcessed: number, totalFiles: number) {
  return {
    phase: 'Indexing Files',
    percent: 45 + 0.45 * percentDone,
    phasePercent: percentDone,
    filesProcessed,
    totalFiles,
    rate: 250,
  };
}

/**
 * The smallest equivalent work: the same newly completed paths written as the same rows
 * (newline-joined, at most 10k a row) in one transaction, with one prepared INSERT, on
 * the store's own connection. Nothing else: no checkpoint row, no progress row.
 */
function rawFileRows(sqlite: Database) {
  const insert = sqlite.prepare(
    'INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, path_count, paths) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const write = sqlite.transaction((seq: number, paths: string[]) => {
    for (let start = 0; start < paths.length; start += PATHS_PER_ROW) {
      const chunk = paths.slice(start, start + PATHS_PER_ROW);
      insert.run('bench-raw-lineage', 'bench-raw', seq, 'completed', chunk.length, chunk.join('\n'));
    }
  });
  return (seq: number, paths: string[]) => write.immediate(seq, paths);
}

/**
 * Record `syncs` whole syncs of `paths`; per 5% of the files, time completeFiles() for
 * those files and the checkpoint that saves them (flush(): the same write an update()
 * crossing a 5% step makes), then the raw baseline writing the same paths.
 */
function recordSyncs(paths: string[], syncs: number) {
  const dir = tempDir('checkpoint');
  const checkpointMs: number[] = [];
  const completeMs: number[] = [];
  const startMs: number[] = [];
  const rawMs: number[] = [];
  const mergeMs: number[] = [];
  try {
    const clock = new BenchClock(); // frozen: only the 5% boundaries decide what is written
    const store = openBenchStore(dir, { clock });
    const raw = rawFileRows(storeSqlite(store));
    const step = Math.ceil(paths.length / STEPS);
    for (let s = 0; s < syncs; s++) {
      collectGarbage(); // the previous sync's ledger, untimed
      let sync: SyncRecorder | undefined;
      startMs.push(timeOnce(() => (sync = store.recording.startSync({ gitCommit: 'a1b2c3d4'.padEnd(40, '0'), files: paths }))));
      const recorder = sync!;
      recorder.update(indexing(0, 0, paths.length)); // enters the indexing phase: untimed
      for (let k = 0; k < STEPS; k++) {
        const chunk = paths.slice(k * step, (k + 1) * step);
        completeMs.push(timeOnce(() => recorder.completeFiles(chunk)));
        const done = Math.min(paths.length, (k + 1) * step);
        let saved = false;
        checkpointMs.push(timeOnce(() => (saved = recorder.flush())));
        if (!saved || recorder.files.completed !== done) throw new Error('the checkpoint was not saved');
        rawMs.push(timeOnce(() => raw(s * STEPS + k, chunk)));
        // Progress moves on (untimed); crossing a 5% step here writes a checkpoint with no file events.
        recorder.update(indexing((100 * done) / paths.length, done, paths.length));
        // Minutes of indexing pass between two 5% steps: the store's timer merges the WAL.
        const merged = mergeWalBetweenCalls(store);
        if (merged !== null) mergeMs.push(merged);
      }
      recorder.finish();
    }
    store.close();
  } finally {
    removeDir(dir);
  }
  return { checkpointMs, completeMs, startMs, rawMs, mergeMs };
}

const GOALS: Record<number, number> = { 100_000: 10, 500_000: 50 };

export function benchCheckpoints(options: CheckpointBenchOptions): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const size of options.sizes) {
    const paths = repositoryPaths(size);
    const result = recordSyncs(paths, syncsFor(size, options.quick));
    const s = stats(result.checkpointMs);
    const goal = GOALS[size];
    const label = size.toLocaleString('en-US');
    rows.push(
      {
        operation: 'checkpoint (flush()) with 5% of files newly completed',
        size: `${label} files`,
        stats: s,
        baseline: {
          label: 'the same paths written as the same checkpoint_files rows (≤10k paths a row) by one prepared INSERT in one transaction',
          stats: stats(result.rawMs),
        },
        goal: goal ? `p99 ≤ ${goal} ms` : '—',
        met: goal ? s.p99 <= goal : null,
      },
      {
        operation: "  WAL merge on the store's timer, between two 5% steps",
        size: `${label} files`,
        stats: result.mergeMs.length ? stats(result.mergeMs) : null,
        goal: '(not inside any call)',
        met: null,
      },
      {
        operation: '  completeFiles() of those 5% (one call, validated)',
        size: `${label} files`,
        stats: stats(result.completeMs),
        goal: '(in memory; CIDX calls it per file)',
        met: null,
      },
      {
        operation: '  startSync() with the whole file list planned',
        size: `${label} files`,
        stats: stats(result.startMs),
        goal: '(once per sync)',
        met: null,
      },
    );
  }
  return rows;
}
