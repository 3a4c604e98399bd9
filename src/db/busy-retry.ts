import { DatabaseLockedError } from '../errors';
import { isBusy } from './sqlite-errors';

/** How long a unit of work may wait for another process's write lock, in total. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The store's API is synchronous (as better-sqlite3 is), so waiting between tries is too. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Exponential backoff from 5 ms, capped at 250 ms, with jitter so waiting processes spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(250, 5 * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Run `work`, and while it fails with SQLITE_BUSY/LOCKED try again with backoff until
 * `timeoutMs` has passed; then fail with DatabaseLockedError. Each try also waits up to
 * the connection's busy_timeout inside SQLite, so a short lock never costs a retry.
 */
export function retryWhileBusy<T>(work: () => T, timeoutMs: number, what: string): T {
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new DatabaseLockedError(
          `${what}: the database stayed locked by another process for ${timeoutMs} ms`,
          { cause: error },
        );
      }
      sleepSync(Math.min(remaining, backoffDelay(attempt)));
    }
  }
}
