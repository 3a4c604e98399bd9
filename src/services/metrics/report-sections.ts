import type {
  EndedSyncRow,
  FailurePointRow,
  RegressionSums,
  ResourceSums,
  StatusCountRow,
} from '../../repositories/sync-stats.repository';
import type { PhaseFigures, Throughput } from './phase-figures';
import type { FilledHistoryReport, LongTermTrend, PhaseReport, SyncEntry } from './report-schema';
import { leastSquaresSlope, percentChange, perSecond, round, roundMs, trendDirection } from './statistics';

/** Builders of the report's sections from what the repository returns: no queries here. */

export function phaseSection(
  ordered: readonly string[],
  current: ReadonlyMap<string, PhaseFigures>,
  previousMeans: ReadonlyMap<string, number>,
): PhaseReport[] {
  return ordered.map((name) => {
    const { syncs, meanMs, p50Ms, p90Ms } = current.get(name)!;
    const previous = previousMeans.get(name);
    const change = previous === undefined ? null : percentChange(previous, meanMs);
    return {
      name,
      syncs,
      meanMs,
      p50Ms,
      p90Ms,
      trend:
        change === null
          ? null
          : {
              previousMeanMs: Math.round(previous!),
              percentChange: change,
              direction: trendDirection(change),
            },
    };
  });
}

/** Logical syncs by outcome: every run but a `resumed` one is the last run of one. */
export function successSection(rows: readonly StatusCountRow[]): FilledHistoryReport['success'] {
  const count = (status: StatusCountRow['status']) => rows.find((row) => row.status === status)?.runs ?? 0;
  const completed = count('completed');
  const failed = count('failed');
  const cancelled = count('cancelled');
  const interrupted = count('interrupted');
  const ended = completed + failed + cancelled + interrupted;
  return {
    syncs: ended,
    succeeded: completed,
    failed,
    cancelled,
    interrupted,
    inProgress: count('running'),
    // Stryker disable next-line ConditionalExpression: the report is empty before this is read when no sync ended
    percent: ended === 0 ? 0 : round((completed / ended) * 100, 1),
  };
}

export function ratesSection(
  overall: Throughput,
  indexing: PhaseFigures | null,
): FilledHistoryReport['rates'] {
  return {
    overall: rate(overall),
    indexing: {
      phase: indexing?.name ?? null,
      ...(indexing ? rate(indexing) : { filesPerSecond: null, bytesPerSecond: null }),
    },
  };
}

/** Per second of the time that reported them; null when nothing reported any. */
function rate({ files, filesMs, bytes, bytesMs }: Throughput): {
  filesPerSecond: number | null;
  bytesPerSecond: number | null;
} {
  return { filesPerSecond: perSecond(files, filesMs), bytesPerSecond: perSecond(bytes, bytesMs) };
}

/** Per run (each run is one process) that ended: a running one has no figures yet. */
export function resourcesSection(sums: ResourceSums): FilledHistoryReport['resources'] {
  const { memoryRuns, memorySum, memoryPeak, cpuRuns, cpuSum } = sums;
  return {
    runs: memoryRuns,
    meanPeakMemoryBytes: memoryRuns === 0 ? null : Math.round((memorySum ?? 0) / memoryRuns),
    peakMemoryBytes: memoryPeak,
    meanCpuPercent: cpuRuns === 0 ? null : round((cpuSum ?? 0) / cpuRuns, 1),
  };
}

/** How many failure points a report lists; `total` still counts every failure. */
const MAX_FAILURE_POINTS = 20;

export function failuresSection(rows: readonly FailurePointRow[]): FilledHistoryReport['failures'] {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return {
    total,
    points: rows.slice(0, MAX_FAILURE_POINTS).map((row) => ({
      phase: row.phase,
      code: row.code,
      count: row.count,
      share: round((row.count / total) * 100, 1),
      lastSeen: row.lastSeen,
      message: row.message,
    })),
  };
}

export function syncEntry(row: EndedSyncRow): SyncEntry {
  const error = row.status === 'completed' ? null : firstError(row.errors);
  return {
    jobId: row.jobId,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    status: row.status,
    durationMs: Math.round(row.durationMs),
    filesIndexed: row.filesIndexed,
    reason: error?.message ?? null,
    errorCode: error?.code ?? null,
  };
}

/** The first recorded error of a run, or null when there is none or it cannot be read. */
function firstError(text: string | null): { message: string; code: string | null } | null {
  if (text === null) return null;
  try {
    const first: unknown = (JSON.parse(text) as unknown[])[0];
    // Stryker disable next-line ConditionalExpression,LogicalOperator: the message test below refuses the rest: a string or number has no text message, and reading one of null throws into the catch
    if (typeof first !== 'object' || first === null) return null;
    const { message, code } = first as { message?: unknown; code?: unknown };
    if (typeof message !== 'string') return null;
    return { message, code: typeof code === 'string' ? code : null };
  } catch {
    return null;
  }
}

export function longTermSection(sums: RegressionSums, days: number): LongTermTrend {
  const slope = leastSquaresSlope(sums);
  const meanMs = sums.n > 0 ? sums.sumY / sums.n : null;
  const changePercent = slope === null || !meanMs ? null : round(((slope * days) / meanMs) * 100, 1);
  return {
    days,
    syncs: sums.n,
    slopeMsPerDay: slope === null ? null : round(slope, 1),
    meanMs: roundMs(meanMs),
    changePercent,
    direction: changePercent === null ? null : trendDirection(changePercent),
  };
}
