import { hostname } from 'node:os';
import type { Statement } from 'better-sqlite3';
import type { Connection } from '../../src/db/connection';
import { openStoreDatabase } from '../../src/db/open-store-database';
import { runInTransaction } from '../../src/db/transaction';
import { createRepositories, type Repositories } from '../../src/repositories';
import { DEFAULT_PHASES } from '../../src/services/recording/recording-input';
import type { PhaseDefinition } from '../../src/validation/json-columns';

/**
 * A "heavy month" of one project, for the retention tests and the maintenance benchmark,
 * written straight into the store file (a day of syncs per transaction; see addSync for
 * what goes through the repositories).
 *
 * A sync starts every `intervalMinutes` for `days` days up to `end`. Each leaves a
 * 1-per-second progress trail of `trailSeconds` rows across the phases, with a
 * checkpoint row at every 5% and at every phase change, as the recorder writes them.
 * Every `interruptedEvery`-th sync is killed part-way: it stays `running` with an owner
 * process that no longer exists, holding a checkpoint of `filesPerCheckpoint` planned
 * files (`completedShare` of them completed) in its file log. Nobody resumes or clears
 * these: the worst case, where only retention keeps the file in check. Every
 * `failedEvery`-th sync fails (its checkpoint is kept, as the recorder keeps it).
 * Everything is deterministic: the same options write the same rows.
 */
export interface HeavyMonthOptions {
  /** The end of the month: the "now" the store's clock should read afterwards. */
  end: number;
  projectId?: string;
  days?: number;
  intervalMinutes?: number;
  trailSeconds?: number;
  interruptedEvery?: number;
  failedEvery?: number;
  filesPerCheckpoint?: number;
  completedShare?: number;
  phases?: PhaseDefinition[];
  /** Repository-like paths; the benchmark passes its own generator. Default: repositoryPaths. */
  paths?: (count: number, seed: number) => string[];
}
// Sizes of the defaults, measured: ~1.3M trail rows, 60 killed syncs of 100k files, about
// 600 MB before maintenance. The jest tests scale it down (trailSeconds, filesPerCheckpoint).

export interface HeavyMonthSummary {
  syncs: number;
  /** Job ids of the killed syncs (running, owner gone, with a checkpoint), oldest first. */
  interrupted: string[];
  failed: string[];
  trailRows: number;
  filePaths: number;
  firstStart: number;
  lastStart: number;
}

const DAY = 86_400_000;

export const HEAVY_MONTH_DEFAULTS = {
  projectId: 'acme-api',
  days: 30,
  intervalMinutes: 10,
  trailSeconds: 300,
  interruptedEvery: 72,
  failedEvery: 0,
  filesPerCheckpoint: 100_000,
  completedShare: 0.6,
} as const;

/** Write a heavy month into a store file (created and migrated if needed); closes it after. */
export function createHeavyMonthStore(dbPath: string, options: HeavyMonthOptions): HeavyMonthSummary {
  const connection = openStoreDatabase(dbPath, { now: () => options.end, warn: () => {} });
  try {
    return writeHeavyMonth(connection, options);
  } finally {
    connection.sqlite.close();
  }
}

export function writeHeavyMonth(connection: Connection, options: HeavyMonthOptions): HeavyMonthSummary {
  const o = { ...HEAVY_MONTH_DEFAULTS, ...options };
  const interval = o.intervalMinutes * 60_000;
  const count = Math.floor((o.days * DAY) / interval);
  const first = o.end - count * interval;
  const ownerPid = absentPid();
  const summary: HeavyMonthSummary = {
    syncs: 0,
    interrupted: [],
    failed: [],
    trailRows: 0,
    filePaths: 0,
    firstStart: first,
    lastStart: first,
  };
  // A day of syncs per transaction: a commit per sync would cost more than the rows.
  const perTransaction = Math.max(1, Math.round(DAY / interval));
  for (let from = 0; from < count; from += perTransaction) {
    runInTransaction(connection.sqlite, () => {
      for (let k = from; k < Math.min(count, from + perTransaction); k++) addOne(k);
    });
  }
  return summary;

  function addOne(k: number): void {
    const start = first + k * interval;
    const jobId = `heavy-${String(k).padStart(6, '0')}`;
    const killed = o.interruptedEvery > 0 && k % o.interruptedEvery === o.interruptedEvery - 1;
    const failed = !killed && o.failedEvery > 0 && k % o.failedEvery === o.failedEvery - 1;
    const outcome = killed ? 'killed' : failed ? 'failed' : 'completed';
    // A killed sync stops part-way through; the others run their whole trail.
    const trailRows = killed ? Math.max(2, Math.floor(o.trailSeconds * 0.7)) : o.trailSeconds;
    addSync(connection, {
      jobId,
      projectId: o.projectId,
      start,
      trailRows,
      plannedRows: o.trailSeconds,
      outcome,
      checkpointFiles: outcome === 'completed' ? undefined : o.filesPerCheckpoint,
      completedShare: o.completedShare,
      phases: options.phases,
      paths: (n) => (options.paths ?? repositoryPaths)(n, k),
      ownerPid,
    });
    if (killed) summary.interrupted.push(jobId);
    if (failed) summary.failed.push(jobId);
    summary.syncs += 1;
    summary.trailRows += trailRows;
    summary.filePaths += outcome === 'completed' ? 0 : o.filesPerCheckpoint;
    summary.lastStart = start;
  }
}

/** One sync, written as the recorder would have left it. */
export interface SyncSpec {
  jobId: string;
  start: number;
  /** Rows of its 1-per-second trail (at least 1). */
  trailRows: number;
  /** `killed`: left `running` by an owner process that no longer exists. */
  outcome: 'completed' | 'failed' | 'cancelled' | 'killed';
  projectId?: string;
  /** The trail a whole sync would have had (percent is scaled on it); default trailRows. */
  plannedRows?: number;
  /** Files planned in its checkpoint; no checkpoint when undefined (a completed sync has none). */
  checkpointFiles?: number;
  completedShare?: number;
  phases?: PhaseDefinition[];
  paths?: (count: number) => string[];
  /** Default: a pid no process has. */
  ownerPid?: number;
}

/**
 * Write one sync in its final state (call inside a transaction for speed). The trail,
 * checkpoint and file log go through the real repositories; the sync_history row is one
 * prepared insert of the row as the recorder's start, finish and release leave it (the
 * repository's query-builder insert and finish cost ~0.5 ms each, which for a month of
 * syncs is most of the time).
 */
export function addSync(connection: Connection, spec: SyncSpec): void {
  const repos = repositoriesOf(connection);
  const phases = spec.phases ?? DEFAULT_PHASES;
  const rows = Math.max(1, spec.trailRows);
  const end = spec.start + (rows - 1) * 1000;
  insertSyncRow(connection, spec, phases, rows);
  if (spec.outcome === 'completed') repos.syncFigures.record(spec.jobId);
  writeTrail(repos, spec.jobId, spec.start, rows, spec.plannedRows ?? rows, phases);
  if (spec.checkpointFiles !== undefined && spec.outcome !== 'completed') {
    const files = (spec.paths ?? repositoryPaths)(spec.checkpointFiles);
    writeCheckpoint(
      repos,
      spec.jobId,
      end,
      files,
      Math.floor(files.length * (spec.completedShare ?? 0.6)),
      phases,
    );
  }
}

const repositoriesByConnection = new WeakMap<Connection, Repositories>();
const insertByConnection = new WeakMap<Connection, Statement>();

function repositoriesOf(connection: Connection): Repositories {
  let repos = repositoriesByConnection.get(connection);
  if (!repos) repositoriesByConnection.set(connection, (repos = createRepositories(connection)));
  return repos;
}

function insertSyncRow(
  connection: Connection,
  spec: SyncSpec,
  phases: PhaseDefinition[],
  rows: number,
): void {
  let insert = insertByConnection.get(connection);
  if (!insert) {
    insert = connection.sqlite.prepare(`INSERT INTO sync_history (
      job_id, project_id, status, start_time, end_time, last_activity_at, total_duration, phase_durations, phases,
      current_phase, overall_progress, files_processed, total_files, files_changed, files_indexed, bytes_processed,
      errors, git_commit, owner_pid, owner_host, owner_started_at, peak_memory_bytes, mean_cpu_percent
    ) VALUES (
      @jobId, @projectId, @status, @startTime, @endTime, @lastActivityAt, @totalDuration, @phaseDurations, @phases,
      @currentPhase, @overallProgress, @filesProcessed, @totalFiles, @filesChanged, @filesIndexed, @bytesProcessed,
      @errors, @gitCommit, @ownerPid, @ownerHost, @ownerStartedAt, @peakMemoryBytes, @meanCpuPercent
    )`);
    insertByConnection.set(connection, insert);
  }
  const total = (rows - 1) * 1000;
  const end = spec.start + total;
  const finished = spec.outcome !== 'killed';
  const last = phases[phases.length - 1]!.name;
  const failure =
    spec.outcome === 'failed'
      ? { code: 'ETIMEDOUT', message: 'embedding service timed out' }
      : { code: 'CANCELLED', message: 'cancelled' };
  insert.run({
    jobId: spec.jobId,
    projectId: spec.projectId ?? HEAVY_MONTH_DEFAULTS.projectId,
    status: finished ? spec.outcome : 'running',
    startTime: spec.start,
    endTime: finished ? end : null,
    lastActivityAt: end,
    totalDuration: finished ? total : null,
    phaseDurations: finished
      ? JSON.stringify(Object.fromEntries(phases.map((p) => [p.name, Math.round(total * p.weight)])))
      : null,
    phases: JSON.stringify(phases),
    currentPhase: finished ? last : (phases.find((p) => p.name === 'Indexing Files') ?? phases[0]!).name,
    overallProgress: spec.outcome === 'completed' ? 100 : 60,
    filesProcessed: rows * 10,
    totalFiles: (spec.plannedRows ?? rows) * 10,
    filesChanged: finished ? 40 : null,
    filesIndexed: finished ? rows * 10 : null,
    bytesProcessed: finished ? rows * 10 * 4096 : null,
    errors:
      finished && spec.outcome !== 'completed'
        ? JSON.stringify([{ phase: last, ...failure, at: end }])
        : null,
    gitCommit: 'abcdef0123456789'.padEnd(40, '0'),
    ownerPid: finished ? null : (spec.ownerPid ?? absentPid()),
    ownerHost: hostname(),
    ownerStartedAt: spec.start,
    peakMemoryBytes: finished ? 300_000_000 : null,
    meanCpuPercent: finished ? 35.5 : null,
  });
}

function writeTrail(
  repos: Repositories,
  jobId: string,
  start: number,
  rows: number,
  totalRows: number,
  phases: PhaseDefinition[],
): void {
  let bucket = -1;
  let phaseIndex = -1;
  for (let i = 0; i < rows; i++) {
    const percent = Math.min(100, (100 * i) / Math.max(1, totalRows - 1));
    const phase = phaseAt(phases, percent);
    const checkpoint = Math.floor(percent / 5) > bucket || phase.index !== phaseIndex;
    bucket = Math.floor(percent / 5);
    phaseIndex = phase.index;
    repos.progressUpdates.insert({
      jobId,
      timestamp: start + i * 1000,
      elapsedMs: i * 1000,
      phase: phase.name,
      overallProgress: percent,
      phaseProgress: phase.percent,
      filesProcessed: i * 10,
      totalFiles: totalRows * 10,
      rate: 10,
      checkpointData: checkpoint
        ? { seq: bucket + 1, filesCompleted: i * 10, filesPending: (totalRows - i) * 10, filesSkipped: 0 }
        : null,
    });
  }
}

function writeCheckpoint(
  repos: Repositories,
  jobId: string,
  at: number,
  files: string[],
  completed: number,
  phases: PhaseDefinition[],
): void {
  repos.checkpointFiles.append(jobId, jobId, 0, { kind: 'planned', first: 0, paths: files });
  repos.checkpointFiles.append(jobId, jobId, 1, {
    kind: 'completed',
    ordinals: Array.from({ length: completed }, (_, i) => i),
  });
  const indexing = phases.find((p) => p.name === 'Indexing Files') ?? phases[phases.length - 1]!;
  repos.checkpoints.upsert({
    jobId,
    lineageId: jobId,
    seq: 1,
    createdAt: at,
    updatedAt: at,
    gitCommit: 'abcdef0123456789'.padEnd(40, '0'),
    phase: indexing.name,
    phaseProgress: 60,
    overallProgress: 60,
    phaseStartedAt: at,
    filesCompleted: completed,
    filesPending: files.length - completed,
    filesSkipped: 0,
    metadata: { metrics: { rate: 10, memoryUsage: 300_000_000, cpuPercent: 35 } },
  });
}

function phaseAt(
  phases: PhaseDefinition[],
  percent: number,
): { name: string; index: number; percent: number } {
  let from = 0;
  for (let index = 0; index < phases.length; index++) {
    const to = from + phases[index]!.weight * 100;
    if (percent < to || index === phases.length - 1) {
      return {
        name: phases[index]!.name,
        index,
        percent: Math.min(100, Math.max(0, (100 * (percent - from)) / (to - from))),
      };
    }
    from = to;
  }
  throw new Error('no phases');
}

const FOLDERS = [
  'src',
  'lib',
  'packages',
  'services',
  'internal',
  'components',
  'handlers',
  'models',
  'utils',
  'storage',
  'search',
  'indexing',
  'tests',
  'fixtures',
];
const NAMES = [
  'index',
  'client',
  'server',
  'repository',
  'parser',
  'config',
  'session',
  'worker',
  'embedding-provider',
  'vector-store',
  'chunker',
  'a',
];
const EXTENSIONS = ['ts', 'tsx', 'py', 'go', 'md', 'json', 'java', 'rs'];

/** Nested paths of mixed depth and length, unique within one call. */
export function repositoryPaths(count: number, seed = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + seed * 7919;
    const depth = 1 + (n % 5);
    const folders = Array.from({ length: depth }, (_, d) => FOLDERS[(n * (d + 3) + d * 11) % FOLDERS.length]);
    return `${folders.join('/')}/${NAMES[n % NAMES.length]}-${i}.${EXTENSIONS[n % EXTENSIONS.length]}`;
  });
}

let cachedAbsentPid: number | undefined;

/** A pid no process has here, for owners that are gone. */
export function absentPid(): number {
  for (let pid = cachedAbsentPid ?? 4_000_000; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return (cachedAbsentPid = pid);
    }
  }
}
