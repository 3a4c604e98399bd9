import type { Statement } from 'better-sqlite3';
import type { Connection } from '../db/connection';
import type { SyncHistoryRow } from '../schema';
import type { EndedStatus } from '../schema/sync-status';
import { checkRow, keyedBySqlName, type RowCheck } from '../validation/rows';
import {
  type ChainHead,
  type ChainRun,
  chainPhases,
  type ResumedRun,
  sumChains,
  walkChains,
} from './chain-sums';
import {
  type CompletedFigures,
  type CompletedRow,
  parsedOrNull,
  phaseObjectOf,
  unpackCompletedFigures,
  unpackResumedRuns,
} from './completed-figures';
import {
  type ResourceSums,
  resourcesOf,
  startBucketsOf,
  statusesOf,
  type WindowPass,
  type WindowPassRow,
} from './window-pass';
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
  PHASE_MEANS,
  RUNNING_SYNCS,
  WINDOW_PASS,
  LIVE_RUNS_WITH_RESOURCES,
  ENDED_RESOURCES,
} from './sync-stats.sql';

export type { CompletedFigures } from './completed-figures';
export type { ResourceSums, StartBucketRow, StatusCountRow, WindowPass } from './window-pass';

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
 * sums, grouping with json_each) so a report never loads whole rows: the one per-sync
 * read is the few figures percentiles need. Windows use the start_time index.
 * Statements are prepared on first use and kept (they belong to this connection).
 */
export class SyncStatsRepository {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly connection: Connection) {}

  /**
   * The window in one pass (WINDOW_PASS): runs by status, resources, starts of logical syncs
   * per 15-minute bucket, and the completed syncs' figures. `gone`: ids of running rows
   * whose owner is gone, counted as interrupted (see runningSyncs).
   */
  windowPass(window: StatsWindow, gone: readonly number[] = []): WindowPass {
    const row = this.statement(WINDOW_PASS).get(params(window)) as WindowPassRow;
    const goneIds = { ...params(window), gone: JSON.stringify(gone) };
    // The pass sums every run's resources: exact for the ended ones while no live run has any.
    const resources =
      this.statement(LIVE_RUNS_WITH_RESOURCES).pluck().get(goneIds) === 0
        ? resourcesOf(row)
        : (this.statement(ENDED_RESOURCES).get(goneIds) as ResourceSums);
    const packed = unpackCompletedFigures(row.figures, row.phases);
    // Read row by row, heads come as ids: CHAIN_RUNS reads every chain then.
    const rows = packed ?? this.completedRows(window);
    const resumed = (packed && unpackResumedRuns(row.resumedRuns, row.resumedPhases)) ?? new Map();
    return {
      statuses: statusesOf(row.statuses, gone.length),
      resources,
      startBuckets: startBucketsOf(row),
      completed: this.sumChainsOf(rows, resumed),
    };
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
    return this.windowPass(window).completed;
  }

  private completedRows(window: StatsWindow): CompletedRow[] {
    return (this.statement(COMPLETED_FIGURES, true).all(params(window)) as CompletedRow[]).map((row) => {
      row[3] = parsedOrNull(row[3]);
      return row;
    });
  }

  /**
   * The rows with a run that resumed others given the sums of their chains: walked in
   * `resumed` (the window's resumed runs) where they can be, else read by CHAIN_RUNS.
   */
  private sumChainsOf(rows: CompletedRow[], resumed: ReadonlyMap<string, ResumedRun>): CompletedFigures[] {
    const heads: ChainHead[] = [];
    const elsewhere: number[] = [];
    for (const row of rows) {
      const head = row[5];
      if (typeof head === 'number') elsewhere.push(head);
      else if (head !== null)
        heads.push({
          run: { head: head[0], durationMs: row[0], phases: phaseObjectOf(row[3]), entries: head[2] },
          resumedFrom: head[1],
        });
    }
    const walked = walkChains(heads, resumed);
    elsewhere.push(...walked.elsewhere);
    const chains = sumChains(
      elsewhere.length === 0 ? walked.runs : [...walked.runs, ...this.chainRuns(elsewhere)],
    );
    return rows.map((row) => {
      const head = row[5];
      // Not `length = 5`: setting an array's length costs V8 several times what pop() does.
      row.pop();
      if (head === null) return row as unknown as CompletedFigures;
      const id = typeof head === 'number' ? head : head[0];
      // Summed in JavaScript when that is exact, else by SQL for this chain alone.
      const sum = chains.get(id);
      if (sum) {
        row[0] = sum.durationMs;
        row[3] = sum.phases;
      } else {
        const bySql = this.statement(CHAIN_FIGURES).get({ id }) as {
          durationMs: number;
          phases: string | null;
        };
        row[0] = bySql.durationMs;
        row[3] = parsedOrNull(bySql.phases);
      }
      return row as unknown as CompletedFigures;
    });
  }

  /** Every run of the chains ending at `heads` (ids), as CHAIN_RUNS reads them. */
  private chainRuns(heads: readonly number[]): ChainRun[] {
    const rows = this.statement(CHAIN_RUNS).all({ heads: JSON.stringify(heads) }) as (Omit<
      ChainRun,
      'phases'
    > & {
      phases: string | null;
    })[];
    return rows.map((run) => ({ ...run, phases: chainPhases(run.phases) }));
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
