import type { Connection } from '../db/connection';
import type { SyncHistoryRow } from '../schema';
import type { EndedStatus } from '../schema/sync-status';
import { checkRow, keyedBySqlName, type RowCheck } from '../validation/rows';
import { StatementCache } from './statement-cache';
import { type StatsWindow, windowParams } from './stats-window';
import {
  type ResourceSums,
  resourcesOf,
  startBucketsOf,
  statusesOf,
  type WindowPass,
  type WindowPassRow,
} from './window-pass';
import {
  DAMAGED_ROWS,
  DURATION_REGRESSION,
  ENDED_RESOURCES,
  ENDED_SYNCS,
  FAILURE_POINTS,
  LAST_COMPLETED,
  LIVE_RUNS_WITH_RESOURCES,
  NEWEST_PHASES,
  PHASE_MEANS,
  RUNNING_SYNCS,
  WINDOW_PASS,
} from './sync-stats.sql';

export type { StatsWindow } from './stats-window';
export type { ResourceSums, StartBucketRow, StatusCountRow, WindowPass } from './window-pass';

/** A row every figure leaves out, with what is wrong with it. */
export interface DamagedSyncRow {
  id: number;
  check: RowCheck<SyncHistoryRow>;
}

/** A running row of a window, with what liveness is judged from. */
export type RunningSyncRow = Pick<
  SyncHistoryRow,
  'jobId' | 'ownerPid' | 'ownerHost' | 'ownerBootId' | 'lastActivityAt' | 'lastActivityMono'
> & { id: number };

/** Completed syncs of a window: x = days before its end, y = duration in ms. */
export interface RegressionSums {
  n: number;
  sumX: number;
  sumY: number;
  sumXY: number;
  sumXX: number;
}

export interface PhaseMeanRow {
  phase: string;
  meanMs: number;
  syncs: number;
  files: number | null;
  filesMs: number | null;
}

export interface EndedSyncRow {
  jobId: string;
  /** Start of the logical sync's first run. */
  startedAt: number;
  endedAt: number | null;
  status: EndedStatus;
  durationMs: number;
  filesIndexed: number | null;
  /** The last run's errors, as stored (JSON text). */
  errors: string | null;
}

export interface FailurePointRow {
  phase: string | null;
  code: string;
  count: number;
  lastSeen: number;
  message: string;
}

/**
 * Aggregates over `sync_history` for the metrics service, computed by SQLite (counts,
 * sums, grouping with json_each) so a report never loads whole rows; the completed syncs'
 * per-sync figures are SyncFiguresRepository's. Windows use the start_time index.
 */
export class SyncStatsRepository {
  private readonly statements: StatementCache;

  constructor(connection: Connection) {
    this.statements = new StatementCache(connection.sqlite);
  }

  /**
   * The window in one pass (WINDOW_PASS): runs by status, resources, starts of logical syncs
   * per 15-minute bucket, and which runs completed (see SyncFiguresRepository). `gone`: ids of running rows
   * whose owner is gone, counted as interrupted (see runningSyncs).
   */
  windowPass(window: StatsWindow, gone: readonly number[] = []): WindowPass {
    const row = this.statements.get(WINDOW_PASS).get(windowParams(window)) as WindowPassRow;
    const goneIds = { ...windowParams(window), gone: JSON.stringify(gone) };
    // The pass sums every run's resources: exact for the ended ones while no live run has any.
    const resources =
      // Stryker disable next-line ConditionalExpression: ENDED_RESOURCES gives the same sums when no live run has any; the pass's own are only cheaper
      this.statements.get(LIVE_RUNS_WITH_RESOURCES).pluck().get(goneIds) === 0
        ? resourcesOf(row)
        : (this.statements.get(ENDED_RESOURCES).get(goneIds) as ResourceSums);
    return {
      statuses: statusesOf(row.statuses, gone.length),
      resources,
      startBuckets: startBucketsOf(row),
      completedIdSum: row.completedIdSum,
    };
  }

  /** The window's running rows with their owner and heartbeat, for the caller to judge liveness. */
  runningSyncs(window: StatsWindow): RunningSyncRow[] {
    return this.statements.get(RUNNING_SYNCS).all(windowParams(window)) as RunningSyncRow[];
  }

  durationRegression(window: StatsWindow): RegressionSums {
    return this.statements.get(DURATION_REGRESSION).get(windowParams(window)) as RegressionSums;
  }

  phaseMeans(window: StatsWindow): PhaseMeanRow[] {
    return this.statements.get(PHASE_MEANS).all(windowParams(window)) as PhaseMeanRow[];
  }

  /**
   * The newest `limit` ended logical syncs of the window, newest first. `gone`: ids of
   * running rows whose owner is gone, listed as interrupted (see statusCounts).
   */
  recentSyncs(window: StatsWindow, limit: number, gone: readonly number[] = []): EndedSyncRow[] {
    return this.statements.get(ENDED_SYNCS).all({
      ...windowParams(window),
      limit,
      status: null,
      minDuration: -1,
      gone: JSON.stringify(gone),
    }) as EndedSyncRow[];
  }

  /** The newest `limit` completed logical syncs slower than `minDurationMs`, newest first. */
  slowSyncs(window: StatsWindow, minDurationMs: number, limit: number): EndedSyncRow[] {
    return this.statements.get(ENDED_SYNCS).all({
      ...windowParams(window),
      limit,
      status: 'completed',
      minDuration: minDurationMs,
      gone: '[]',
    }) as EndedSyncRow[];
  }

  failurePoints(window: StatsWindow): FailurePointRow[] {
    return this.statements.get(FAILURE_POINTS).all(windowParams(window)) as FailurePointRow[];
  }

  /**
   * The project's rows the figures must leave out (pass their ids as `excluded`), each
   * with what is wrong with it; empty when all is well. Read from two partial indexes that
   * hold just those rows: no row that is well is read, so there is nothing to cache.
   */
  damagedRows(projectId: string): DamagedSyncRow[] {
    return (this.statements.get(DAMAGED_ROWS).all({ projectId }) as Record<string, unknown>[]).map((row) => ({
      id: row.id as number,
      check: checkRow<SyncHistoryRow>('sync_history', keyedBySqlName('sync_history', row)),
    }));
  }

  /** The phase list (JSON text) of the project's newest sync, or null when there is none. */
  newestPhases(projectId: string): string | null {
    const row = this.statements.get(NEWEST_PHASES).get({ projectId }) as { phases: string } | undefined;
    return row?.phases ?? null;
  }

  /** Changes whenever a sync completes: lets callers cache what they derive from history. */
  lastCompletedAt(): number | null {
    return (this.statements.get(LAST_COMPLETED).get() as { at: number | null }).at;
  }
}
