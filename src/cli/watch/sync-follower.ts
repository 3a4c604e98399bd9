import { type Clock, systemClock } from '../../clock';
import type { Connection } from '../../db/connection';
import { SyncWatchRepository } from '../../repositories/sync-watch.repository';
import { isOwnerAlive, type LivenessFacts } from '../../services/liveness';

/** How a watched sync stands: still running, or how it ended. */
export type WatchedStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** One look at a running sync (the `--json` lines of `status --watch`, documented in the README). */
export interface WatchSample {
  jobId: string;
  status: WatchedStatus;
  phase: string | null;
  /** Overall percent last recorded. */
  percent: number;
  filesProcessed: number;
  totalFiles: number;
  /** The rate last recorded by the sync (files/s while indexing), or null before its first progress row. */
  rate: number | null;
  /** Time left at the pace seen while watching (ms), or null until progress has moved. */
  timeLeftMs: number | null;
  /** Since the sync started (ms). */
  elapsedMs: number;
  /** When this was read (ms since the epoch). */
  at: number;
}

/** Pace is measured over this much of the latest watching, so a slow start fades out. */
const PACE_WINDOW_MS = 30_000;

/**
 * Reads a project's running sync from a read-only connection, one look at a time. The
 * sync ends when its row says so, or when its process is gone without saying
 * (interrupted), judged as `status` judges it.
 */
export class SyncFollower {
  private readonly rows: SyncWatchRepository;
  private readonly seen: Array<{ at: number; percent: number }> = [];

  constructor(
    connection: Connection,
    private readonly projectId: string,
    private readonly clock: Clock = systemClock,
    private readonly staleAfterMs = 60_000,
  ) {
    this.rows = new SyncWatchRepository(connection);
  }

  /** The newest sync of the project whose process is alive, or null. */
  findRunning(): string | null {
    const rows = this.rows.listRunning(this.projectId);
    return rows.find((row) => this.alive(row))?.jobId ?? null;
  }

  sample(jobId: string): WatchSample {
    const now = this.clock.now();
    const row = this.rows.sampleRow(jobId);
    // A row removed while watched (retention never removes a running one) ended unseen.
    if (!row)
      return {
        jobId,
        status: 'interrupted',
        phase: null,
        percent: 0,
        filesProcessed: 0,
        totalFiles: 0,
        rate: null,
        timeLeftMs: null,
        elapsedMs: 0,
        at: now,
      };
    const rate = this.rows.lastRate(jobId);
    const status = watchedStatus(row.status, row.status === 'running' && this.alive(row));
    this.remember(now, row.overallProgress);
    return {
      jobId,
      status,
      phase: row.currentPhase,
      percent: row.overallProgress,
      filesProcessed: row.filesProcessed,
      totalFiles: row.totalFiles,
      rate: rate ?? null,
      timeLeftMs: status === 'running' ? timeLeft(this.seen) : status === 'completed' ? 0 : null,
      elapsedMs: Math.max(0, (row.endTime ?? now) - row.startTime),
      at: now,
    };
  }

  private alive(row: LivenessFacts): boolean {
    return isOwnerAlive(row, this.clock, { staleAfterMs: this.staleAfterMs });
  }

  private remember(at: number, percent: number): void {
    this.seen.push({ at, percent });
    while (this.seen.length > 2 && at - this.seen[0]!.at > PACE_WINDOW_MS) this.seen.shift();
  }
}

/** A running row whose process is gone, and one given up or taken over by a resume, ended without finishing. */
export function watchedStatus(status: string, alive: boolean): WatchedStatus {
  if (status === 'running') return alive ? 'running' : 'interrupted';
  if (status === 'completed' || status === 'failed' || status === 'cancelled') return status;
  return 'interrupted';
}

/** Time to 100% at the pace between the oldest and newest look (ms), or null when progress has not moved. */
export function timeLeft(seen: ReadonlyArray<{ at: number; percent: number }>): number | null {
  const first = seen[0];
  const last = seen[seen.length - 1];
  if (!first || !last || last.percent <= first.percent || last.at <= first.at) return null;
  const msPerPercent = (last.at - first.at) / (last.percent - first.percent);
  return Math.round((100 - last.percent) * msPerPercent);
}
