import type { Database } from 'better-sqlite3';
import type { SyncRecorder } from '../src';
import { collectGarbage, stats, timeOnce } from './harness';
import { BenchClock, mergeWalBetweenCalls, openBenchStore, removeDir, storeSqlite, tempDir } from './fixture';
import { repositoryPaths } from './paths';
import type { ResultRow } from './table';
import { checksum, encodeOrdinals } from '../src/repositories/file-log-codec';

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

const INSERT_FILE_ROW =
  'INSERT INTO checkpoint_files (lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * The smallest equivalent work: the ordinals of the newly completed files (already known:
 * no lookup) packed and written as one checkpoint_files row in one transaction, with one
 * prepared INSERT, on the store's own connection. No checkpoint row, no progress row.
 */
function rawFileRows(sqlite: Database) {
  const insert = sqlite.prepare(INSERT_FILE_ROW);
  const write = sqlite.transaction((seq: number, ordinals: number[]) => {
    const data = encodeOrdinals(ordinals);
    insert.run('bench-raw-lineage', 'bench-raw', seq, 'completed', 0, ordinals.length, data, checksum(data));
  });
  return (seq: number, ordinals: number[]) => write.immediate(seq, ordinals);
}

/**
 * The floor of startSync() with a planned list: what any store must do with it. Hash every
 * path into a fresh Map (the duplicate check, kept as the path index), join and encode the
 * list, write it as rows of at most 10k paths in one transaction with one prepared INSERT.
 */
function rawPlannedList(sqlite: Database) {
  const insert = sqlite.prepare(INSERT_FILE_ROW);
  const write = sqlite.transaction((lineage: string, paths: string[]) => {
    for (let start = 0; start < paths.length; start += PATHS_PER_ROW) {
      const data = Buffer.from(paths.slice(start, start + PATHS_PER_ROW).join('\0'), 'utf8');
      insert.run(
        lineage,
        lineage,
        0,
        'planned',
        start,
        Math.min(PATHS_PER_ROW, paths.length - start),
        data,
        checksum(data),
      );
    }
  });
  return (lineage: string, paths: string[]) => {
    const index = new Map<string, number>();
    for (let i = 0; i < paths.length; i++) index.set(paths[i]!, i);
    if (index.size !== paths.length) throw new Error('duplicate paths');
    write.immediate(lineage, paths);
  };
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
  const startRawMs: number[] = [];
  const startCpuMs: number[] = [];
  const startRawCpuMs: number[] = [];
  const rawMs: number[] = [];
  const mergeMs: number[] = [];
  try {
    const clock = new BenchClock(); // frozen: only the 5% boundaries decide what is written
    const store = openBenchStore(dir, { clock });
    const raw = rawFileRows(storeSqlite(store));
    const rawStart = rawPlannedList(storeSqlite(store));
    const step = Math.ceil(paths.length / STEPS);
    for (let s = 0; s < syncs; s++) {
      collectGarbage(); // the previous sync's ledger, untimed
      // A fresh copy of the list: the caller's strings, not hashed yet (as CIDX hands them over).
      const fresh = (): string[] => paths.map((p) => p.split('').join(''));
      const forRaw = fresh();
      // CPU time beside wall time: on a machine shared with other work, wall time mostly measures waiting for a core.
      let cpuBefore = process.cpuUsage();
      startRawMs.push(timeOnce(() => rawStart(`bench-raw-start-${s}`, forRaw)));
      startRawCpuMs.push(cpuMs(process.cpuUsage(cpuBefore)));
      collectGarbage();
      const forStore = fresh();
      let sync: SyncRecorder | undefined;
      cpuBefore = process.cpuUsage();
      startMs.push(
        timeOnce(
          () =>
            (sync = store.recording.startSync({ gitCommit: 'a1b2c3d4'.padEnd(40, '0'), files: forStore })),
        ),
      );
      startCpuMs.push(cpuMs(process.cpuUsage(cpuBefore)));
      const recorder = sync!;
      recorder.update(indexing(0, 0, paths.length)); // enters the indexing phase: untimed
      for (let k = 0; k < STEPS; k++) {
        const chunk = paths.slice(k * step, (k + 1) * step);
        completeMs.push(timeOnce(() => recorder.completeFiles(chunk)));
        const done = Math.min(paths.length, (k + 1) * step);
        let saved = false;
        checkpointMs.push(timeOnce(() => (saved = recorder.flush())));
        if (!saved || recorder.files.completed !== done) throw new Error('the checkpoint was not saved');
        const ordinals = Array.from({ length: chunk.length }, (_, i) => k * step + i);
        rawMs.push(timeOnce(() => raw(s * STEPS + k, ordinals)));
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
  return { checkpointMs, completeMs, startMs, startRawMs, startCpuMs, startRawCpuMs, rawMs, mergeMs };
}

const GOALS: Record<number, number> = { 100_000: 10, 500_000: 10 };

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

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
          label:
            'the ordinals of the same files packed and written as one checkpoint_files row by one prepared INSERT in one transaction',
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
        baseline: {
          label:
            'the floor of a planned list: every path hashed into a fresh Map, the list joined, encoded and written as ≤10k-path rows in one transaction',
          stats: stats(result.startRawMs),
        },
        goal: size >= 500_000 ? 'p50 ≤ 1.2× its floor' : '(once per sync)',
        met: size >= 500_000 ? stats(result.startMs).p50 <= 1.2 * stats(result.startRawMs).p50 : null,
      },
      {
        operation: '    same, CPU time of this process (user + system, all threads)',
        size: `${label} files`,
        stats: stats(result.startCpuMs),
        baseline: {
          label: "the floor's CPU time, measured the same way",
          stats: stats(result.startRawCpuMs),
        },
        goal: '(what the call costs without waiting for a core)',
        met: null,
      },
    );
  }
  return rows;
}
