import { DEFAULT_LOCK_TIMEOUT_MS, retryWhileBusy } from './busy-retry';
import { type DriverTarget, driverOf } from './driver';
import { toStoreError } from './sqlite-errors';

/**
 * better-sqlite3 commits whatever runs after the first `await` outside the transaction,
 * so a callback that returns a promise is made a type error here (and throws at run time).
 */
export type NotPromise<T> = T extends PromiseLike<unknown> ? never : T;

export interface TransactionOptions {
  /** `immediate` (default) takes the write lock up front: a deferred read-then-write
   * transaction in WAL mode fails with SQLITE_BUSY_SNAPSHOT instead of waiting. */
  behavior?: 'immediate' | 'deferred';
  lockTimeoutMs?: number;
  /** Names the unit of work in errors. */
  name?: string;
}

/**
 * The one way services run a unit of work. Joins an outer transaction when one is
 * open (the connection is the transaction in better-sqlite3), retries with backoff while
 * another process holds the lock, and turns driver errors into the package's typed ones.
 */
export function runInTransaction<T>(
  target: DriverTarget,
  work: () => NotPromise<T>,
  options: TransactionOptions = {},
): T {
  const sqlite = driverOf(target);
  const name = options.name ?? 'transaction';
  if (sqlite.inTransaction) return work();
  const transaction = sqlite.transaction(work);
  const run = options.behavior === 'deferred' ? transaction.deferred : transaction.immediate;
  try {
    return retryWhileBusy(() => run(), options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, name);
  } catch (error) {
    throw toStoreError(error, name);
  }
}
