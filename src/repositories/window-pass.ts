import { SYNC_STATUSES, type SyncStatus } from '../schema/sync-status';

/** The runs of a window with one status (a running one whose owner is gone counts as interrupted). */
export interface StatusCountRow {
  status: SyncStatus;
  runs: number;
}

/** Resource figures of the runs of a window that ended (each run is one process). */
export interface ResourceSums {
  memoryRuns: number;
  memorySum: number | null;
  memoryPeak: number | null;
  cpuRuns: number;
  cpuSum: number | null;
}

export interface StartBucketRow {
  /** Start of a 15-minute UTC bucket, in units of 15 minutes since the epoch. */
  bucket: number;
  starts: number;
}

/** What one pass over a window reads (WINDOW_PASS in sync-stats.sql.ts). */
export interface WindowPass {
  /** The statuses with at least one run. */
  statuses: StatusCountRow[];
  resources: ResourceSums;
  /** Starts of logical syncs (first runs only) per 15-minute UTC bucket. */
  startBuckets: StartBucketRow[];
  /** The sum of the ids of the window's completed runs (0 when none). */
  completedIdSum: number;
}

/** The letter WINDOW_PASS writes for a run of each status: a, b, c… in SYNC_STATUSES order. */
export const STATUS_LETTERS = Object.fromEntries(
  SYNC_STATUSES.map((status, i) => [status, String.fromCharCode(97 + i)]),
) as Record<SyncStatus, string>;

/** A WINDOW_PASS row as SQLite returns it. */
export type WindowPassRow = ResourceSums & {
  statuses: string | null;
  firstStartBuckets: string | null;
  completedIdSum: number;
};

/**
 * Runs per status from WINDOW_PASS' letters; the `gone` running runs (owner gone, all of
 * them in the window) count as interrupted.
 */
export function statusesOf(letters: string | null, gone: number): StatusCountRow[] {
  const runs = new Array<number>(SYNC_STATUSES.length).fill(0);
  for (let i = 0; i < (letters?.length ?? 0); i++) {
    const index = letters!.charCodeAt(i) - 97;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a count written out of range is one no status reads (SYNC_STATUSES.map reads 0..length-1)
    if (index >= 0 && index < runs.length) runs[index]! += 1;
  }
  const count = new Map(SYNC_STATUSES.map((status, i) => [status, runs[i]!]));
  count.set('running', count.get('running')! - gone);
  count.set('interrupted', count.get('interrupted')! + gone);
  return SYNC_STATUSES.filter((status) => count.get(status)! > 0).map((status) => ({
    status,
    runs: count.get(status)!,
  }));
}

export function resourcesOf({
  memoryRuns,
  memorySum,
  memoryPeak,
  cpuRuns,
  cpuSum,
}: ResourceSums): ResourceSums {
  return { memoryRuns, memorySum, memoryPeak, cpuRuns, cpuSum };
}

/** Comma-separated bucket numbers (SQLite's group_concat), counted per bucket. */
export function startBucketsOf(row: WindowPassRow): StartBucketRow[] {
  const starts = new Map<number, number>();
  if (row.firstStartBuckets !== null)
    for (const bucket of JSON.parse(`[${row.firstStartBuckets}]`) as number[])
      starts.set(bucket, (starts.get(bucket) ?? 0) + 1);
  return Array.from(starts, ([bucket, count]) => ({ bucket, starts: count }));
}
