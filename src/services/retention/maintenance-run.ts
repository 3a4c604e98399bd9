import { wholeMs } from '../../clock';
import type { NotPromise } from '../../db/transaction';
import type { SyncHistoryRow } from '../../schema';
import { activityAge, isOwnerAlive } from '../liveness';
import type { StoreContext } from '../store-context';
import type { MaintenanceLease } from './maintenance-lease';
import type { MaintenanceReport, RemovedRows } from './maintenance-report';
import type { RetentionPolicy } from './retention-policy';
import { measureSpace, mergeWal, type SpaceFigures } from './space';

/**
 * Maintenance merges the WAL every this many batches: a batch writes at most a few
 * hundred pages, so the WAL stays well under SQLite's automatic bound (see db/wal-merges).
 */
const WRITES_PER_WAL_MERGE = 16;

type RemovedKind = keyof MaintenanceReport['removed'];

/**
 * Where a sync stands for retention. `running`: its owner is alive. `resumable`: it never
 * completed, still has a checkpoint, and was active within the resume window. Anything
 * else is `finished`: history that may be archived, compacted and pruned.
 */
export type SyncStanding = 'running' | 'resumable' | 'finished';

const INCOMPLETE = new Set(['running', 'failed', 'cancelled']);

/**
 * One maintenance run: its clock reading, its policy, what it has done so far, and the
 * one way its steps write (each batch its own short transaction, timed). In a dry run
 * nothing is written: steps select and tally as if they had, and `usedBytes()` is a
 * projection from the payload bytes tallied.
 */
export class MaintenanceRun {
  readonly now: number;
  readonly startMono: number;
  readonly before: SpaceFigures;
  readonly removed: Record<RemovedKind, RemovedRows> = {
    checkpoints: { rows: 0, bytes: 0 },
    checkpointFiles: { rows: 0, bytes: 0 },
    syncHistory: { rows: 0, bytes: 0 },
    progressCompacted: { rows: 0, bytes: 0 },
    progressRemoved: { rows: 0, bytes: 0 },
  };
  syncsInterrupted = 0;
  checkpointsKept = 0;
  /** Batch files written, rows archived, bytes written, and months whose files were checked before writing. */
  readonly archive = { filesWritten: new Set<string>(), rows: 0, bytesWritten: 0, checkedMonths: new Set<string>() };
  readonly pruned = { checkpoints: 0, trails: 0, syncs: 0 };
  transactions = 0;
  longestTransactionMs = 0;
  /**
   * What this run has removed (or, in a dry run, would have), by job id, so a later step
   * does not count it again: in a dry run nothing leaves the tables, so the budget pass
   * would otherwise find the daily pass's checkpoints and syncs a second time.
   */
  readonly handled = { checkpoints: new Set<string>(), trails: new Set<string>(), syncs: new Set<string>() };
  /** Trail rows compaction dropped per job (a dry run subtracts them when the whole trail goes). */
  readonly compacted = new Map<string, RemovedRows>();

  constructor(
    readonly context: StoreContext,
    readonly policy: RetentionPolicy,
    readonly dryRun: boolean,
    readonly archiveDir: string,
    /** The maintenance lease this run holds (none in a dry run): every write confirms it. */
    readonly lease: MaintenanceLease | null = null,
  ) {
    this.now = context.clock.now();
    this.startMono = context.clock.monotonic();
    this.before = measureSpace(context.connection);
  }

  get repos() {
    return this.context.repos;
  }

  /** One batch: its own write transaction, timed, so the report can say how long others waited at most. */
  write<T>(name: string, work: () => NotPromise<T>): T {
    const { clock, connection } = this.context;
    const started = clock.monotonic();
    let held = 0;
    try {
      const { lease } = this;
      return this.context.write(`maintenance: ${name}`, lease ? () => (lease.confirm(), work()) : work);
    } finally {
      held = wholeMs(clock.monotonic() - started);
      this.timed(held);
      // Merge maintenance's own pages out of the WAL as it goes, outside any transaction,
      // so SQLite's automatic merge never lands inside a commit (ours, or a recorder's).
      if (this.transactions % WRITES_PER_WAL_MERGE === 0) mergeWal(connection.sqlite);
      makeWayForWaiters(held);
    }
  }

  /** Count work that held the lock outside `write` (a full VACUUM). */
  timed(ms: number): void {
    this.transactions += 1;
    this.longestTransactionMs = Math.max(this.longestTransactionMs, wholeMs(ms));
  }

  read<T>(name: string, work: () => NotPromise<T>): T {
    return this.context.read(`maintenance: ${name}`, work);
  }

  tally(kind: RemovedKind, rows: number, bytes: number): void {
    this.removed[kind].rows += rows;
    this.removed[kind].bytes += bytes;
  }

  /** Bytes in pages holding data now; in a dry run, projected from what would have gone. */
  usedBytes(): number {
    if (!this.dryRun) return measureSpace(this.context.connection).usedBytes;
    const gone = Object.values(this.removed).reduce((sum, kind) => sum + kind.bytes, 0);
    return Math.max(0, this.before.usedBytes - gone);
  }

  standing(row: SyncHistoryRow, hasCheckpoint?: boolean): SyncStanding {
    const { clock, settings, repos } = this.context;
    if (row.status === 'running' && isOwnerAlive(row, clock, settings)) return 'running';
    if (!INCOMPLETE.has(row.status)) return 'finished';
    const withCheckpoint = hasCheckpoint ?? repos.checkpoints.findByJobIdRaw(row.jobId) !== null;
    return withCheckpoint && activityAge(row, clock) <= settings.resumeWindowMs ? 'resumable' : 'finished';
  }

  /**
   * Has the sync been quiet since before `cutoff` (a wall-clock time, `now` minus a
   * retention age)? Measured as resume measures its window (liveness.activityAge): by the
   * monotonic clock on the host and boot that recorded the sync, so a wall clock set
   * forward never makes a sync of minutes ago look old.
   */
  quietSince(row: SyncHistoryRow, cutoff: number): boolean {
    return activityAge(row, this.context.clock) > this.now - cutoff;
  }

  elapsedMs(): number {
    return wholeMs(this.context.clock.monotonic() - this.startMono);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * After a batch, leave the lock free for about as long as it was held (at most 25 ms).
 * A writer in another process that found the lock taken sleeps in SQLite's busy handler
 * in growing steps (1, 2, 5, 10, 15, 20, 25 ms…), so its next try comes within roughly
 * the time it has already waited. Without this gap, back-to-back batches would take the
 * lock again before it woke, and a recorder could wait through many batches instead of
 * one. It makes the writing half of maintenance about twice as long; nobody waits on it.
 */
function makeWayForWaiters(heldMs: number): void {
  const pause = Math.min(MAX_PAUSE_MS, Math.ceil(heldMs));
  if (pause > 0) Atomics.wait(sleeper, 0, 0, pause);
}

const MAX_PAUSE_MS = 25;

/** Split items into batches of at most `maxCount` items and (past the first item) `maxWeight`. */
export function batches<T>(items: T[], maxCount: number, weight: (item: T) => number, maxWeight: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let load = 0;
  for (const item of items) {
    const w = weight(item);
    if (current.length > 0 && (current.length >= maxCount || load + w > maxWeight)) {
      out.push(current);
      current = [];
      load = 0;
    }
    current.push(item);
    load += w;
  }
  if (current.length > 0) out.push(current);
  return out;
}
