import type { Statement } from 'better-sqlite3';
import type { Connection } from '../db/connection';
import type { SyncHistoryRow } from '../schema';
import type { EndedStatus, SyncStatus } from '../schema/sync-status';
import { checkRow, keyedBySqlName, type RowCheck } from '../validation/rows';
import { type ChainRun, sumChains } from './chain-sums';
import {
  type CompletedFigures,
  type CompletedRow,
  parsedOrNull,
  unpackCompletedFigures,
} from './completed-figures';
import {
  CHAIN_FIGURES,
  CHAIN_RUNS,
  COMPLETED_FIGURES,
  DAMAGED_ROWS,
  DURATION_REGRESSION,
  ENDED_SYNCS,
  FAILURE_POINTS,
  LAST_COMPLETED,
  NEWEST_PHASES,
  PACKED_COMPLETED_FIGURES,
  PHASE_MEANS,
  RUNNING_SYNCS,
  STATUS_COUNTS,
} from './sync-stats.sql';

export type { CompletedFigures } from './completed-figures';

/** A row every figure leaves out, with what is wrong with it. */
export interface DamagedSyncRow {
  id: number;
  check: RowCheck<SyncHistoryRow>;
}

/** Half-open time window [from, to) over start times, in ms since the epoch. */
export interface StatsWindow {
  projectId: string;
  from: number;
  to: number;
  /** Ids of damaged rows to leave out (see damagedRows). */
  excluded?: readonly number[];
}

/** A running row of a window, with what liveness is judged from. */
export type RunningSyncRow = Pick<
  SyncHistoryRow,
  'jobId' | 'ownerPid' | 'ownerHost' | 'ownerBootId' | 'lastActivityAt' | 'lastActivityMono'
> & { id: number };

/** The runs of a window with one status, and their resource figures. */
export interface StatusCountRow {
  status: SyncStatus;
  runs: number;
  memoryRuns: number;
  memorySum: number | null;
  memoryPeak: number | null;
  cpuRuns: number;
  cpuSum: number | null;
}

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

/** What one pass over a window counts: its runs by status, and its starts by bucket. */
export interface WindowCounts {
  statuses: StatusCountRow[];
  /** Starts of logical syncs (first runs only) per 15-minute UTC bucket. */
  startBuckets: StartBucketRow[];
}

export interface StartBucketRow {
  /** Start of a 15-minute UTC bucket, in units of 15 minutes since the epoch. */
  bucket: number;
  starts: number;
}

/**
 * Aggregates over `sync_history` for the metrics service, computed by SQLite (counts,
 * sums, grouping with json_each) so a report never loads whole rows: the one per-sync
 * read is the few figures percentiles need. Windows use the start_time index.
 * Statements are prepared on first use and kept (they belong to this connection).
 */
export class SyncStatsRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly connection: Connection) {}

  /**
   * Runs of the window by status, and the starts of logical syncs per 15-minute bucket, in
   * one pass. `gone`: ids of running rows whose owner is gone, counted as interrupted (see
   * runningSyncs).
   */
  statusCounts(window: StatsWindow, gone: readonly number[] = []): WindowCounts {
    const rows = this.statement(STATUS_COUNTS).all({
      ...params(window),
      gone: JSON.stringify(gone),
    }) as (StatusCountRow & {
      firstStartBuckets: string | null;
    })[];
    const starts = new Map<number, number>();
    const statuses = rows.map(({ firstStartBuckets, ...row }) => {
      // Comma-separated integers (SQLite's group_concat): a JSON array once bracketed.
      if (firstStartBuckets !== null)
        for (const bucket of JSON.parse(`[${firstStartBuckets}]`) as number[])
          starts.set(bucket, (starts.get(bucket) ?? 0) + 1);
      return row;
    });
    return { statuses, startBuckets: Array.from(starts, ([bucket, count]) => ({ bucket, starts: count })) };
  }

  /** The window's running rows with their owner and heartbeat, for the caller to judge liveness. */
  runningSyncs(window: StatsWindow): RunningSyncRow[] {
    return this.statement(RUNNING_SYNCS).all(params(window)) as RunningSyncRow[];
  }

  durationRegression(window: StatsWindow): RegressionSums {
    return this.statement(DURATION_REGRESSION).get(params(window)) as RegressionSums;
  }

  /** One row per completed logical sync of the window, in start_time order, chains summed. */
  completedFigures(window: StatsWindow): CompletedFigures[] {
    const packed = this.statement(PACKED_COMPLETED_FIGURES).get(params(window)) as {
      figures: string;
      phases: string | null;
    };
    const rows =
      unpackCompletedFigures(packed.figures, packed.phases) ??
      (this.statement(COMPLETED_FIGURES, true).all(params(window)) as CompletedRow[]).map((row) => {
        row[3] = parsedOrNull(row[3]);
        return row;
      });
    const heads = rows.filter((row) => row[5] !== null).map((row) => row[5]!);
    const chains =
      heads.length === 0
        ? new Map<number, null>()
        : sumChains(this.statement(CHAIN_RUNS).all({ heads: JSON.stringify(heads) }) as ChainRun[]);
    return rows.map((row) => {
      const head = row[5];
      (row as unknown[]).length = 5;
      if (head === null) return row as unknown as CompletedFigures;
      // Summed in JavaScript when that is exact, else by SQL for this chain alone.
      const sum =
        chains.get(head) ??
        (this.statement(CHAIN_FIGURES).get({ id: head }) as { durationMs: number; phases: string | null });
      row[0] = sum.durationMs;
      row[3] = parsedOrNull(sum.phases);
      return row as unknown as CompletedFigures;
    });
  }

  phaseMeans(window: StatsWindow): PhaseMeanRow[] {
    return this.statement(PHASE_MEANS).all(params(window)) as PhaseMeanRow[];
  }

  /**
   * The newest `limit` ended logical syncs of the window, newest first. `gone`: ids of
   * running rows whose owner is gone, listed as interrupted (see statusCounts).
   */
  recentSyncs(window: StatsWindow, limit: number, gone: readonly number[] = []): EndedSyncRow[] {
    return this.statement(ENDED_SYNCS).all({
      ...params(window),
      limit,
      status: null,
      minDuration: -1,
      gone: JSON.stringify(gone),
    }) as EndedSyncRow[];
  }

  /** The newest `limit` completed logical syncs slower than `minDurationMs`, newest first. */
  slowSyncs(window: StatsWindow, minDurationMs: number, limit: number): EndedSyncRow[] {
    return this.statement(ENDED_SYNCS).all({
      ...params(window),
      limit,
      status: 'completed',
      minDuration: minDurationMs,
      gone: '[]',
    }) as EndedSyncRow[];
  }

  failurePoints(window: StatsWindow): FailurePointRow[] {
    return this.statement(FAILURE_POINTS).all(params(window)) as FailurePointRow[];
  }

  /**
   * The project's rows the figures must leave out (pass their ids as `excluded`), each
   * with what is wrong with it; empty when all is well. Read from two partial indexes that
   * hold just those rows: no row that is well is read, so there is nothing to cache.
   */
  damagedRows(projectId: string): DamagedSyncRow[] {
    return (this.statement(DAMAGED_ROWS).all({ projectId }) as Record<string, unknown>[]).map((row) => ({
      id: row.id as number,
      check: checkRow<SyncHistoryRow>('sync_history', keyedBySqlName('sync_history', row)),
    }));
  }

  /** The phase list (JSON text) of the project's newest sync, or null when there is none. */
  newestPhases(projectId: string): string | null {
    const row = this.statement(NEWEST_PHASES).get({ projectId }) as { phases: string } | undefined;
    return row?.phases ?? null;
  }

  /** Changes whenever a sync completes: lets callers cache what they derive from history. */
  lastCompletedAt(): number | null {
    return (this.statement(LAST_COMPLETED).get() as { at: number | null }).at;
  }

  private statement(text: string, raw = false): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.connection.sqlite.prepare(text);
      if (raw) statement.raw(true);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

/** A window as statement parameters: the excluded ids as one JSON array. */
function params(window: StatsWindow): Record<string, unknown> {
  return {
    projectId: window.projectId,
    from: window.from,
    to: window.to,
    excluded: JSON.stringify(window.excluded ?? []),
  };
}
