import type { Database, Statement } from 'better-sqlite3';
import { type DriverTarget, driverOf } from './driver';
import { isBusy } from './sqlite-errors';
import { type UpkeepScheduler, upkeepScheduler } from './upkeep-scheduler';

/**
 * Where the store's WAL is merged back into the database file (a SQLite "checkpoint";
 * not to be confused with a sync's checkpoint).
 *
 * Left to itself, SQLite merges inside whichever commit takes the WAL past 1,000 pages,
 * and with synchronous=NORMAL that commit pays the merge's fsyncs; the commit after it
 * starts the WAL over and pays one more fsync (of the new WAL header). Measured on the
 * benchmark machine: 2–30 ms each, landing on a caller's update() about once in 250
 * progress writes, and on every second checkpoint of a 500k-file sync.
 *
 * So the store's connection merges on a timer instead (the process's shared, unref'd
 * upkeep scheduler: one timer however many stores are open), between the caller's
 * calls, when it has written since the last merge, and starts the WAL over there too
 * (a one-page write), so neither fsync lands inside a call. SQLite's own automatic merge
 * stays on as the bound, raised to `boundPages`: a caller that never yields to the event
 * loop (the timer never runs) still has its WAL merged, and it never holds much more.
 */
export interface WalMergeOptions {
  /** How often to look for something to merge. */
  intervalMs?: number;
  /** The automatic merge's threshold: the most the WAL holds when the timer cannot run. */
  boundPages?: number;
  /** A merge that failed; the next tick tries again (and the bound still holds). */
  onError?: (error: unknown) => void;
  /** Where the merges are scheduled; default the process's shared scheduler. */
  scheduler?: UpkeepScheduler;
}

export const WAL_MERGE_INTERVAL_MS = 5_000;
/** 16 MiB of 4 KiB pages: rarely reached between two timer ticks, even at 500k files. */
export const WAL_BOUND_PAGES = 4_096;
interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export class WalMerges {
  private readonly scheduler: UpkeepScheduler;
  private readonly tick: { run(): number | null };
  private readonly totalChanges: Statement<[], number>;
  private readonly applicationId: number;
  /** The connection's total_changes() at the last merge: equal now means nothing to merge. */
  private mergedAt = -1;

  private readonly sqlite: Database;

  constructor(target: DriverTarget, options: WalMergeOptions) {
    const sqlite = driverOf(target);
    this.sqlite = sqlite;
    sqlite.pragma(`wal_autocheckpoint = ${Math.trunc(options.boundPages ?? WAL_BOUND_PAGES)}`);
    this.totalChanges = sqlite.prepare('SELECT total_changes()').pluck() as Statement<[], number>;
    this.applicationId = sqlite.pragma('application_id', { simple: true }) as number;
    const intervalMs = options.intervalMs ?? WAL_MERGE_INTERVAL_MS;
    this.scheduler = options.scheduler ?? upkeepScheduler;
    this.tick = {
      run: () => {
        try {
          this.mergeIfWritten();
        } catch (error) {
          options.onError?.(error);
        }
        return intervalMs;
      },
    };
    this.scheduler.schedule(this.tick, intervalMs);
  }

  /**
   * Merge what this connection wrote since the last merge, without waiting on anyone
   * (PASSIVE: frames a reader still needs stay for the next merge), then start the WAL
   * over. Returns whether a merge ran.
   */
  mergeIfWritten(): boolean {
    if (!this.sqlite.open || this.sqlite.inTransaction) return false;
    const changes = this.totalChanges.get()!;
    if (changes === this.mergedAt) return false;
    // One row, always: busy (another merge was running), frames in the WAL, frames merged.
    const result = (this.sqlite.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0]!;
    this.mergedAt = changes;
    if (result.busy === 0 && result.log > 0 && result.checkpointed === result.log) this.restartWal();
    return true;
  }

  stop(): void {
    this.scheduler.cancel(this.tick);
  }

  /**
   * The first commit after a complete merge starts the WAL from its beginning and fsyncs
   * the new header. Make that commit here: rewrite the file's application_id with the
   * value it has (one page, no change). If another process holds the write lock, don't
   * wait: its commit starts the WAL over instead.
   */
  private restartWal(): void {
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number;
    this.sqlite.pragma('busy_timeout = 0');
    try {
      this.sqlite.pragma(`application_id = ${Math.trunc(this.applicationId)}`);
    } catch (error) {
      if (!isBusy(error)) throw error;
    } finally {
      this.sqlite.pragma(`busy_timeout = ${Math.trunc(timeout)}`);
    }
  }
}

/**
 * Merge the whole WAL into the database file and cut the WAL file to zero bytes
 * (`wal_checkpoint(TRUNCATE)`), for a disk that filled up: the WAL holds every version of
 * every page written since the last merge, often twice the data, and keeps that space
 * until it is merged. Needs room for the database file to take the merged pages; when
 * there is none yet (or a reader holds the WAL), it changes nothing and returns false,
 * and the store tries again before its next write. Never inside a transaction.
 */
export function truncateWal(target: DriverTarget): boolean {
  const sqlite = driverOf(target);
  if (!sqlite.open || sqlite.inTransaction) return false;
  try {
    const result = (sqlite.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[])[0]!;
    return result.busy === 0;
  } catch {
    // SQLITE_FULL (no room to merge into yet) or busy: the WAL stays as it was.
    return false;
  }
}
