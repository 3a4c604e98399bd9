import { wholeMs } from '../../clock';
import type { NotPromise } from '../../db/transaction';
import type { SyncHistoryRow } from '../../schema';
import { isResumableStatus } from '../../schema/sync-status';
import { activityAge, isOwnerAlive } from '../liveness';
import type { StoreContext } from '../store-context';
import type { MaintenanceLease } from './maintenance-lease';
import { BatchSizer } from './batch-sizer';
import type { MaintenanceReport, RemovedRows } from './maintenance-report';
import type { RetentionPolicy } from './retention-policy';
import { measureSpace, type SpaceFigures } from './space';

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

/**
 * What a batch is measured in, per kind of work: trail rows deleted, file-log bytes freed
 * with expiring checkpoints, syncs archived, free pages given back.
 */
export type BatchKind = 'rows' | 'checkpointBytes' | 'syncs' | 'pages';

/** A checkpoint's own rows cost something to delete even when its file log is empty. */
export const CHECKPOINT_OVERHEAD_BYTES = 4_096;

/**
 * A maintenance step: a generator that yields after each batch (each write transaction,
 * and each page it reads), so a run can stop between any two batches and go on later
 * (see background-maintenance.ts) or be drained in one go (runMaintenance).
 */
export type MaintenanceSteps<T = void> = Generator<void, T, void>;

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
  readonly archive = {
    filesWritten: new Set<string>(),
    rows: 0,
    bytesWritten: 0,
    checkedMonths: new Set<string>(),
  };
  readonly pruned = { checkpoints: 0, trails: 0, syncs: 0 };
  transactions = 0;
  /** Longest write transaction of the batches; a full VACUUM is counted apart (vacuumLockMs). */
  longestTransactionMs = 0;
  /** How long a full VACUUM held the write lock (0: none ran). */
  vacuumLockMs = 0;
  /** Stretches of work between two returns to the event loop: 1 for a run done in one go. */
  slices = 1;
  /** When the current stretch began (monotonic), and the longest one finished so far. */
  sliceStartedAt: number;
  longestSliceMs = 0;
  /**
   * A run done in one go leaves the lock free after each batch for about as long as it
   * held it (makeWayForWaiters); a run in slices leaves it free between slices instead.
   */
  pace = true;
  /**
   * Run by the store itself in slices between the caller's calls: a full VACUUM, one
   * synchronous rewrite of the file that no slice can bound, is left to runMaintenance()
   * and `cidx-progress maintain` (see reclaim-space.ts).
   */
  inSlices = false;
  /** Bound on waiting for another process's write lock, per batch. */
  lockTimeoutMs: number;
  private readonly sizers: Record<BatchKind, BatchSizer>;
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
    this.sliceStartedAt = this.startMono;
    this.before = measureSpace(context.repos.storeFile);
    this.lockTimeoutMs = context.settings.lockTimeoutMs;
    const targetMs = policy.batchTargetMs;
    // The floors keep a batch worth its transaction on a machine so busy that every batch
    // looks slow (preempted mid-batch): 100 trail rows cost ~0.3 ms of work on a quiet one.
    this.sizers = {
      rows: new BatchSizer({ initial: 500, min: 100, max: policy.batchRows * 20, targetMs }),
      checkpointBytes: new BatchSizer({
        initial: 1_000_000,
        min: 256_000,
        max: policy.batchBytes * 8,
        targetMs,
      }),
      syncs: new BatchSizer({ initial: 25, min: 5, max: policy.batchRows, targetMs }),
      // Pages cost several times more to move in one part of the file than in another (on
      // the heavy month, 700 pages took 2 ms and the 1,400 after them 25 ms), a jump the
      // sizer cannot see coming from the last batch: twice the chunk (1 MiB) bounds the worst.
      pages: new BatchSizer({ initial: 128, min: 32, max: policy.vacuumChunkPages * 2, targetMs }),
    };
  }

  /** Units the next batch of this kind should take on, to hold the lock about policy.batchTargetMs. */
  batchSize(kind: BatchKind): number {
    return this.sizers[kind].next;
  }

  get repos() {
    return this.context.repos;
  }

  /**
   * One batch: its own write transaction, timed, so the report can say how long others
   * waited at most. With `sized`, the time feeds the next batch's size of that kind.
   */
  write<T>(name: string, work: () => NotPromise<T>, sized?: { kind: BatchKind; units: number }): T {
    const { clock, repos } = this.context;
    const started = clock.monotonic();
    let held = 0;
    try {
      const { lease } = this;
      return this.context.write(
        `maintenance: ${name}`,
        lease ? () => (lease.confirm(), work()) : work,
        this.lockTimeoutMs,
      );
    } finally {
      held = wholeMs(clock.monotonic() - started);
      this.timed(held);
      if (sized) this.sizers[sized.kind].record(sized.units, held);
      // Merge maintenance's own pages out of the WAL as it goes, outside any transaction,
      // so SQLite's automatic merge never lands inside a commit (ours, or a recorder's).
      if (this.transactions % WRITES_PER_WAL_MERGE === 0) repos.storeFile.mergeWal();
      if (this.pace) makeWayForWaiters(held);
    }
  }

  /** Count a write transaction made outside `write`. */
  timed(ms: number): void {
    this.transactions += 1;
    this.longestTransactionMs = Math.max(this.longestTransactionMs, wholeMs(ms));
  }

  /** A full VACUUM held the lock this long: reported apart from the batches. */
  timedVacuum(ms: number): void {
    this.transactions += 1;
    this.vacuumLockMs += wholeMs(ms);
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
    if (!this.dryRun) return measureSpace(this.context.repos.storeFile).usedBytes;
    const gone = Object.values(this.removed).reduce((sum, kind) => sum + kind.bytes, 0);
    return Math.max(0, this.before.usedBytes - gone);
  }

  standing(row: SyncHistoryRow, hasCheckpoint?: boolean): SyncStanding {
    const { clock, settings, repos } = this.context;
    if (row.status === 'running' && isOwnerAlive(row, clock, settings)) return 'running';
    if (!isResumableStatus(row.status)) return 'finished';
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

  /** The longest stretch the caller's event loop waited on this run, the current one included. */
  longestSlice(): number {
    return wholeMs(Math.max(this.longestSliceMs, this.context.clock.monotonic() - this.sliceStartedAt));
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

/**
 * The next batch from the front of `items` (removed from it): at least one item, then
 * more while the total weight stays within `maxWeight`. Returns the batch and its weight.
 */
export function takeBatch<T>(
  items: T[],
  weight: (item: T) => number,
  maxWeight: number,
): { batch: T[]; weight: number } {
  let load = 0;
  let count = 0;
  while (count < items.length) {
    const w = weight(items[count]!);
    if (count > 0 && load + w > maxWeight) break;
    load += w;
    count += 1;
  }
  return { batch: items.splice(0, count), weight: load };
}
