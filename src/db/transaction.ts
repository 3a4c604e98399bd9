import { DEFAULT_LOCK_TIMEOUT_MS, retryWhileBusy } from './busy-retry';
import type { Database } from 'better-sqlite3';
import { type DriverTarget, driverOf } from './driver';
import { toStoreError } from './sqlite-errors';

/**
 * The unit of work: running one (joining an outer one), asserting that one is open, and
 * hooks that run once its transaction has committed or rolled back.
 */

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
  /**
   * Told of an onRollback hook that threw: the caller gets the error that rolled the
   * transaction back, which is the one it can act on, so the hook's goes here.
   */
  onHookError?: (error: unknown) => void;
}

/**
 * Code that needs a transaction ran outside one. A plain Error, not a ProgressStoreError:
 * it is a bug in the package's own call graph, which no caller can handle by a code, and
 * a stable public code would make it part of the API.
 */
export class TransactionRequiredError extends Error {
  constructor(operation: string) {
    super(`${operation} must run inside a unit of work (a write transaction), and none is open`);
    this.name = 'TransactionRequiredError';
  }
}

interface UnitHooks {
  commit: Array<() => void>;
  rollback: Array<() => void>;
}

/** The hooks of the transaction open on each connection (one at most: nested units join it). */
const openUnits = new WeakMap<Database, UnitHooks>();

/**
 * The one way services run a unit of work. Joins an outer transaction when one is
 * open (the connection is the transaction in better-sqlite3), retries with backoff while
 * another process holds the lock, and turns driver errors into the package's typed ones.
 * Hooks registered during the work (onCommit, onRollback) run once the outcome is final.
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
  let committed: { result: T; hooks: UnitHooks };
  try {
    // Each try has hooks of its own: a try that rolled back (and is tried again) undoes its part.
    committed = retryWhileBusy(
      () => tryOnce(sqlite, run, options.onHookError),
      options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      name,
    );
  } catch (error) {
    throw toStoreError(error, name);
  }
  // Outside the try: the work is committed, and a hook's error must not pass for a storage one.
  const hookError = runAll(committed.hooks.commit);
  if (hookError) throw hookError.error;
  return committed.result;
}

function tryOnce<T>(
  sqlite: Database,
  run: () => T,
  onHookError?: (error: unknown) => void,
): { result: T; hooks: UnitHooks } {
  const hooks: UnitHooks = { commit: [], rollback: [] };
  openUnits.set(sqlite, hooks);
  let result: T;
  try {
    result = run();
  } catch (error) {
    openUnits.delete(sqlite);
    // Undo in the reverse order of doing.
    const hookError = runAll(hooks.rollback.reverse());
    if (hookError) onHookError?.(hookError.error);
    throw error;
  }
  openUnits.delete(sqlite);
  return { result, hooks };
}

/** Run every hook even when one throws; return the first error thrown. */
function runAll(hooks: Array<() => void>): { error: unknown } | null {
  let first: { error: unknown } | null = null;
  for (const hook of hooks) {
    try {
      hook();
    } catch (error) {
      first ??= { error };
    }
  }
  return first;
}

/**
 * Run `hook` once the transaction open on `sqlite` has committed (in the order
 * registered), never if it rolls back. A hook registered in a nested unit of work runs
 * with the outer transaction. One that throws does not stop the others; the first error
 * is thrown to the caller after them all, the work staying committed.
 */
export function onCommit(target: DriverTarget, hook: () => void): void {
  openUnit(driverOf(target), 'onCommit').commit.push(hook);
}

/**
 * Run `hook` once the transaction open on `sqlite` has rolled back (newest first), never
 * if it commits: for undoing in-memory state that went with the work.
 */
export function onRollback(target: DriverTarget, hook: () => void): void {
  openUnit(driverOf(target), 'onRollback').rollback.push(hook);
}

/** Throw TransactionRequiredError unless a transaction is open on `sqlite`. */
export function assertInTransaction(target: DriverTarget, operation: string): void {
  if (!driverOf(target).inTransaction) throw new TransactionRequiredError(operation);
}

function openUnit(sqlite: Database, operation: string): UnitHooks {
  const unit = openUnits.get(sqlite);
  // A transaction begun by hand has no one to run the hooks.
  if (!unit || !sqlite.inTransaction) throw new TransactionRequiredError(operation);
  return unit;
}
