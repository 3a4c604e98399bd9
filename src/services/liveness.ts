import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Clock } from '../clock';
import type { SyncHistoryRow } from '../schema';

/** Who owns a running sync: written into its row so other processes can tell if it is alive. */
export interface SyncOwner {
  pid: number;
  host: string;
  startedAt: number;
  /** Identifies this boot of this machine (Linux); null where the system does not say. */
  bootId: string | null;
}

let cachedBootId: string | null | undefined;

export function currentBootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

export function currentOwner(now: number): SyncOwner {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: Math.round(now - process.uptime() * 1000),
    bootId: currentBootId(),
  };
}

/** What liveness is judged from: the owner and heartbeat columns of a sync's row. */
export type LivenessFacts = Pick<
  SyncHistoryRow,
  'jobId' | 'ownerPid' | 'ownerHost' | 'ownerBootId' | 'lastActivityAt' | 'lastActivityMono'
>;

/**
 * How long ago the sync last showed activity. On the machine and boot that recorded it
 * the monotonic clock answers, so a wall clock set forward a day does not make a sync of
 * ten minutes ago look a day old; elsewhere only the wall clock can.
 */
export function activityAge(row: LivenessFacts, clock: Clock): number {
  return heartbeatAge({ at: row.lastActivityAt, mono: row.lastActivityMono, bootId: row.ownerBootId }, clock);
}

/** A moment as a process recorded it: the wall clock, and the host's monotonic clock with its boot. */
export interface RecordedMoment {
  at: number;
  mono: number | null;
  bootId: string | null;
}

/** How long ago a recorded moment was: by the monotonic clock on the boot that recorded it, else by the wall clock. */
export function heartbeatAge(moment: RecordedMoment, clock: Clock): number {
  const bootId = currentBootId();
  if (moment.mono != null && bootId !== null && moment.bootId === bootId)
    return clock.monotonic() - moment.mono;
  return clock.now() - moment.at;
}

/** Syncs recorded by this process right now (any store instance). */
const ownedHere = new Set<string>();

export const ownership = {
  claim: (jobId: string) => ownedHere.add(jobId),
  release: (jobId: string) => ownedHere.delete(jobId),
  holds: (jobId: string) => ownedHere.has(jobId),
};

export interface LivenessPolicy {
  /** A heartbeat older than this means the owner is gone when it cannot be asked directly. */
  staleAfterMs: number;
}

/**
 * Is the process that owns this running sync still there? On this host the process
 * table answers (a live pid may be a reused one, so a very old heartbeat still loses);
 * elsewhere only the heartbeat can. A sync whose owner released it (closed store) is gone.
 */
export function isOwnerAlive(row: LivenessFacts, clock: Clock, policy: LivenessPolicy): boolean {
  if (row.ownerPid == null) return false;
  const heartbeatAge = activityAge(row, clock);
  if (row.ownerHost !== hostname()) return heartbeatAge < policy.staleAfterMs;
  if (row.ownerPid === process.pid) return ownership.holds(row.jobId);
  if (!processExists(row.ownerPid)) return false;
  // A live pid whose heartbeat stopped long ago is a reused pid or a hung process.
  return heartbeatAge < policy.staleAfterMs * 10;
}

/** Is there a process with this pid on this host? (EPERM: yes, owned by someone else.) */
export function processExists(pid: number): boolean {
  if (!signalable(pid)) return false;
  // kill(pid, 0) also succeeds on a zombie: a process killed but not yet reaped (its
  // parent has not waited; a container's pid 1 may never), which will never write again.
  return !hasExited(pid);
}

/** kill(pid, 0): the pid is in the process table (EPERM: owned by someone else). */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: the process table still holds the pid, but the process has exited (state Z or X). */
function hasExited(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // Reaped since kill() answered, if kill() now says so too: without /proc (a chroot,
    // a sandbox) every stat is ENOENT. Anything else: trust kill().
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && !signalable(pid);
  }
  // "pid (command) state …": the command may hold spaces and parentheses, so the state is found after the last ")".
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X';
}
