import type { Clock } from '../clock';
import { type Connection, isInTransaction } from '../db/connection';
import { type NotPromise, onCommit, onRollback, runInTransaction } from '../db/transaction';
import { truncateWal } from '../db/wal-merges';
import { StorageFullError, StoreClosedError } from '../errors';
import type { Repositories } from '../repositories';
import { describeDamage, type RowDamage } from '../validation/rows';
import type { ResourceProbe } from './recording/process-sampler';

import type { StoreWarning } from './store-warning';

export type { StoreWarning };

export interface StoreSettings {
  /** Least time between two progress rows of one sync. */
  throttleMs: number;
  /** How often a quiet sync still proves it is alive. */
  heartbeatIntervalMs: number;
  /** Heartbeat age after which another host's sync counts as interrupted. */
  staleAfterMs: number;
  /** Bound on waiting for another process's write lock (start, finish, resume). */
  lockTimeoutMs: number;
  /** Shorter bound for progress and checkpoint writes, which retry later instead. */
  recordLockTimeoutMs: number;
  /** An incomplete sync quiet for longer than this is no longer offered for resume. */
  resumeWindowMs: number;
  probe: ResourceProbe;
}

/** Everything the services share: one per open store. */
export class StoreContext {
  private closed = false;
  /** A write failed for want of space and the WAL could not be merged away then: try before the next write. */
  private walToTruncate = false;
  /** Recorders of this store still recording: released when the store closes. */
  readonly activeRecorders = new Set<{ release(): void }>();

  constructor(
    readonly projectId: string,
    readonly connection: Connection,
    readonly repos: Repositories,
    readonly clock: Clock,
    readonly settings: StoreSettings,
    private readonly onWarning: (warning: StoreWarning) => void,
    /** Frees space when a write finds the disk full (maintenance under pressure); returns the bytes freed. */
    private readonly recoverSpace: () => number,
  ) {}

  /** Damaged rows already reported by this store: each is told once, not at every read. */
  private readonly damageTold = new Set<string>();

  /** Report a damaged row that a read passed over (once per row and column). */
  warnDamaged(damage: RowDamage): void {
    const id = `${damage.table}\0${damage.key}\0${damage.column}`;
    if (this.damageTold.has(id)) return;
    this.damageTold.add(id);
    this.warn({
      code: 'CORRUPT',
      message: `${describeDamage(damage)}; passed over (\`cidx-progress doctor\` lists damaged rows, \`doctor --repair\` removes them)`,
    });
  }

  warn(warning: StoreWarning): void {
    try {
      this.onWarning(warning);
    } catch {
      // A throwing warning handler must not turn a handled problem into a crash.
    }
  }

  assertOpen(): void {
    if (this.closed) throw new StoreClosedError('the progress store is closed');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  markClosed(): void {
    this.closed = true;
  }

  /**
   * Run a write unit of work. When the disk is full: merge the WAL and cut it to zero
   * (it may hold most of the space), free space once (maintenance), and try once more,
   * reporting what was recovered. If that fails too, the WAL merge is tried again before
   * the next write, so once space is freed the WAL gives its share back before it can
   * take the freed space again.
   */
  write<T>(name: string, work: () => NotPromise<T>, lockTimeoutMs = this.settings.lockTimeoutMs): T {
    this.assertOpen();
    const { connection } = this;
    const onHookError = (error: unknown) =>
      this.warn({
        code: 'STORAGE',
        message: `${name}: undoing after a rollback failed: ${(error as Error).message}`,
        error,
      });
    const run = () => runInTransaction(connection, work, { name, lockTimeoutMs, onHookError });
    if (this.walToTruncate && !isInTransaction(connection)) this.walToTruncate = !truncateWal(connection);
    try {
      return run();
    } catch (error) {
      if (!(error instanceof StorageFullError)) throw error;
      truncateWal(connection);
      const recovered = this.recoverSpace();
      this.walToTruncate = !truncateWal(connection);
      this.warn({
        code: 'RECOVERED',
        message: `${name}: the disk was full; maintenance freed ${recovered} bytes, trying once more`,
        error,
      });
      return run();
    }
  }

  /**
   * Inside a write: run `hook` once its transaction (the outermost, when writes nest) has
   * committed, never if it rolls back. For in-memory state that must follow the file.
   */
  onCommit(hook: () => void): void {
    onCommit(this.connection, hook);
  }

  /** Inside a write: run `hook` once its transaction has rolled back, never if it commits. */
  onRollback(hook: () => void): void {
    onRollback(this.connection, hook);
  }

  /** Read-only unit of work: a consistent snapshot without taking the write lock. */
  read<T>(name: string, work: () => NotPromise<T>): T {
    this.assertOpen();
    return runInTransaction(this.connection, work, {
      name,
      behavior: 'deferred',
      lockTimeoutMs: this.settings.lockTimeoutMs,
    });
  }
}
