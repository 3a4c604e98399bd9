import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConflictError, DatabaseLockedError } from '../../errors';
import type { StoreMetaEntry } from '../../repositories/store-meta.repository';
import { currentBootId, heartbeatAge, processExists } from '../liveness';
import type { StoreContext } from '../store-context';

/**
 * One maintenance at a time across processes. The lease is a row of store_meta whose key
 * names its owner (pid, host, boot, and a token for this run) and whose value is the
 * owner's last heartbeat (wall clock), with a second row for the heartbeat on the host's
 * monotonic clock. It is taken, renewed and released inside write transactions
 * (BEGIN IMMEDIATE), so two processes never both hold it, and it dies with its owner: a
 * holder whose process is gone (same host and boot), whose boot is over, or whose heartbeat
 * is stale (another host) is taken over. Every write of a run confirms the lease in the
 * same transaction, so a run whose lease was taken over (it stalled past the stale bound)
 * cannot change anything afterwards.
 */

const LEASE = 'maintenance_lease ';
const LEASE_MONO = 'maintenance_lease_mono ';
/** Bound on waiting for another process's write lock to give the lease back. */
const RELEASE_LOCK_TIMEOUT_MS = 50;
/** How often a waiting run looks again. */
const POLL_MS = 100;

import type { LeaseOwner } from './maintenance-report';

export type { LeaseOwner };

interface Holder extends LeaseOwner {
  key: string;
  token: string;
  heartbeatMono: number | null;
}

/** Tokens of the leases this process holds (any store instance). */
const heldHere = new Set<string>();

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class MaintenanceLease {
  private readonly key: string;
  private readonly token = randomBytes(8).toString('hex');
  private lastBeatMono = Number.NEGATIVE_INFINITY;
  private held = false;

  constructor(private readonly context: StoreContext) {
    this.key = `${LEASE}${JSON.stringify({ pid: process.pid, host: hostname(), boot: currentBootId(), token: this.token })}`;
  }

  /**
   * Take the lease, waiting up to `waitMs` (real time) while a live process holds it.
   * Returns null once it is ours, or the holder when the wait ran out. Each look waits at
   * most `lockTimeoutMs` for another process's write lock (a background slice passes its
   * own short bound: the caller's event loop waits with it).
   */
  acquire(waitMs: number, lockTimeoutMs = this.context.settings.lockTimeoutMs): LeaseOwner | null {
    const deadline = performance.now() + waitMs;
    for (;;) {
      const holder = this.context.write('take the maintenance lease', () => this.take(), lockTimeoutMs);
      if (holder === null) return null;
      const left = deadline - performance.now();
      if (left <= 0) return holder;
      Atomics.wait(sleeper, 0, 0, Math.min(POLL_MS, Math.ceil(left)));
    }
  }

  /**
   * Call inside each write transaction of the run: throws ConflictError when another
   * process has taken the lease over; renews the heartbeat when it is due.
   */
  confirm(): void {
    const { repos, clock, settings } = this.context;
    if (!this.held || !repos.storeMeta.listPrefixed(this.key).some((row) => row.key === this.key)) {
      this.forget();
      throw new ConflictError(
        'maintenance stopped: its lease was taken over by another process (it was presumed dead)',
      );
    }
    if (clock.monotonic() - this.lastBeatMono >= settings.heartbeatIntervalMs) this.beat();
  }

  /** Give the lease back (if still ours). */
  release(): void {
    if (!this.held) return;
    this.forget();
    // A lease this process no longer holds is dead to every reader (isAlive), so one left
    // behind by a closed store, or by a release that could not get the lock, is taken over.
    if (this.context.isClosed) return;
    // A short bound: a release may run in a background slice, which must not hold up the
    // caller's event loop behind another process's transaction. Left behind, the lease is
    // taken over by this process's next run at once, and by others once it is stale.
    try {
      this.context.write(
        'release the maintenance lease',
        () => {
          this.context.repos.storeMeta.remove(this.key);
          this.context.repos.storeMeta.remove(monoKeyOf(this.key));
        },
        RELEASE_LOCK_TIMEOUT_MS,
      );
    } catch (error) {
      if (error instanceof DatabaseLockedError) return;
      this.context.warn({
        code: 'STORAGE',
        message: `could not release the maintenance lease: ${(error as Error).message}`,
        error,
      });
    }
  }

  private take(): LeaseOwner | null {
    const { repos } = this.context;
    for (const holder of readHolders(
      repos.storeMeta.listPrefixed(LEASE),
      repos.storeMeta.listPrefixed(LEASE_MONO),
    )) {
      if (holder.token === this.token) continue;
      if (this.isAlive(holder)) return publicOwner(holder);
      repos.storeMeta.remove(holder.key);
      repos.storeMeta.remove(monoKeyOf(holder.key));
    }
    this.beat();
    this.held = true;
    heldHere.add(this.token);
    return null;
  }

  private beat(): void {
    const { repos, clock } = this.context;
    const mono = Math.floor(clock.monotonic());
    repos.storeMeta.put(this.key, Math.round(clock.now()));
    repos.storeMeta.put(monoKeyOf(this.key), mono);
    this.lastBeatMono = mono;
  }

  private forget(): void {
    this.held = false;
    heldHere.delete(this.token);
  }

  /**
   * The liveness rule of a sync's owner (liveness.ts), for a lease: on this host the
   * process table answers (and a boot that ended ended the lease), with a live pid whose
   * heartbeat stopped long ago taken as reused or hung; elsewhere only the heartbeat can.
   */
  private isAlive(holder: Holder): boolean {
    const { clock, settings } = this.context;
    const age = heartbeatAge(
      { at: holder.heartbeatAt, mono: holder.heartbeatMono, bootId: holder.bootId },
      clock,
    );
    if (holder.host !== hostname()) return age < settings.staleAfterMs;
    const boot = currentBootId();
    if (holder.bootId !== null && boot !== null && holder.bootId !== boot) return false;
    if (holder.pid === process.pid) return heldHere.has(holder.token);
    if (!processExists(holder.pid)) return false;
    return age < settings.staleAfterMs * 10;
  }
}

function monoKeyOf(key: string): string {
  return `${LEASE_MONO}${key.slice(LEASE.length)}`;
}

/** Lease rows as holders; a row whose key does not parse is a holder that is never alive. */
function readHolders(rows: StoreMetaEntry[], monoRows: StoreMetaEntry[]): Holder[] {
  const mono = new Map(monoRows.map((row) => [row.key, row.value]));
  return rows.map((row) => {
    let owner: { pid?: unknown; host?: unknown; boot?: unknown; token?: unknown } = {};
    try {
      owner = JSON.parse(row.key.slice(LEASE.length));
    } catch {
      // Not ours to read: it is removed as a dead holder below.
    }
    return {
      key: row.key,
      pid: typeof owner.pid === 'number' ? owner.pid : -1,
      host: typeof owner.host === 'string' ? owner.host : '',
      bootId: typeof owner.boot === 'string' ? owner.boot : null,
      token: typeof owner.token === 'string' ? owner.token : '',
      heartbeatAt: row.value,
      heartbeatMono: mono.get(monoKeyOf(row.key)) ?? null,
    };
  });
}

function publicOwner(holder: Holder): LeaseOwner {
  return { pid: holder.pid, host: holder.host, bootId: holder.bootId, heartbeatAt: holder.heartbeatAt };
}
