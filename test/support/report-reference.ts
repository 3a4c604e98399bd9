/**
 * The history report computed from scratch, for tests: every row of the project read
 * with a plain SELECT, logical syncs rebuilt by walking resume chains in JavaScript, and
 * every figure counted by hand as metrics-service.ts documents it. The report's own
 * queries and fast paths are compared with this, figure for figure.
 *
 * It reuses only the small pure helpers the report shares (rounding, nearest-rank
 * percentile, trend wording, peak-usage slots) and, for the long-term trend, SQLite's
 * own regression sums: what is rebuilt here is which rows count and with what values.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Zone } from 'luxon';
import { TRUSTED_ROW } from '../../src/repositories/sync-stats.sql';
import { peakUsage } from '../../src/services/metrics/peak-usage';
import {
  percentChange,
  percentile,
  perSecond,
  round,
  trendDirection,
} from '../../src/services/metrics/statistics';

const DAY = 86_400_000;
const ENDED = ['completed', 'failed', 'cancelled', 'interrupted'];

interface Row {
  id: number;
  job_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  last_activity_at: number;
  total_duration: number | null;
  phase_durations: string | null;
  phases: string;
  files_indexed: number | null;
  bytes_processed: number | null;
  errors: string | null;
  resumed_from_job_id: string | null;
  peak_memory_bytes: number | null;
  mean_cpu_percent: number | null;
  owner_pid: number | null;
  owner_host: string | null;
  owner_boot_id: string | null;
  last_activity_mono: number | null;
  trusted: number;
}

/** Whether a running row's owner is gone (the store judges it with services/liveness). */
export type OwnerGone = (row: {
  jobId: string;
  ownerPid: number | null;
  ownerHost: string | null;
  ownerBootId: string | null;
  lastActivityAt: number;
  lastActivityMono: number | null;
}) => boolean;

interface LogicalSync {
  row: Row;
  durationMs: number;
  startedAt: number;
  /** Every numeric phase value, summed over the chain's runs. */
  phases: Map<string, number>;
}

const runDuration = (r: Row) =>
  r.total_duration ?? Math.max(0, (r.end_time ?? r.last_activity_at) - r.start_time);

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The phase values a duration can be: numbers from 0 to 2^53 - 1 (the rest is damage, skipped). */
function numericPhases(text: string | null): [string, number][] {
  const value = parsed(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).filter(
    (entry): entry is [string, number] =>
      typeof entry[1] === 'number' && entry[1] >= 0 && entry[1] <= Number.MAX_SAFE_INTEGER,
  );
}

/** An error entry a failure point can show: code and message text, phase text or null, a whole time in ms. */
function isErrorEntry(e: unknown): e is { phase: string | null; code: string } {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  const { code, message, phase, at } = e as Record<string, unknown>;
  return (
    typeof code === 'string' &&
    typeof message === 'string' &&
    (typeof phase === 'string' || phase === null) &&
    Number.isSafeInteger(at) &&
    (at as number) >= 0
  );
}

/** Reads the project's rows once; `report(to, days, zone)` then rebuilds any window. */
export class ReportReference {
  private readonly rows: Row[];
  private readonly byJob = new Map<string, Row>();

  constructor(dbPath: string, projectId: string) {
    const db = new BetterSqlite3(dbPath, { readonly: true });
    try {
      this.rows = db
        .prepare(
          `SELECT s.*, ${TRUSTED_ROW} AS trusted FROM sync_history s WHERE s.project_id = ? ORDER BY s.id`,
        )
        .all(projectId) as Row[];
    } finally {
      db.close();
    }
    for (const row of this.rows) this.byJob.set(row.job_id, row);
  }

  /** The runs of the chain ending at `row`, itself first (cycles stop as the SQL's depth bound does). */
  private chain(row: Row): Row[] {
    const runs = [row];
    let current = row;
    while (current.resumed_from_job_id !== null && runs.length <= 1000) {
      const previous = this.byJob.get(current.resumed_from_job_id);
      if (!previous) break;
      runs.push(previous);
      current = previous;
    }
    return runs;
  }

  private logical(row: Row): LogicalSync {
    const runs = row.resumed_from_job_id === null ? [row] : this.chain(row);
    const phases = new Map<string, number>();
    for (const run of runs)
      for (const [name, ms] of numericPhases(run.phase_durations))
        phases.set(name, (phases.get(name) ?? 0) + ms);
    return {
      row,
      durationMs: runs.reduce((sum, run) => sum + runDuration(run), 0),
      startedAt: Math.min(...runs.map((run) => run.start_time)),
      phases,
    };
  }

  private window(from: number, to: number): Row[] {
    return this.rows.filter((r) => r.trusted === 1 && r.start_time >= from && r.start_time < to);
  }

  report(to: number, days: number, zone: Zone, ownerGone: OwnerGone) {
    const from = to - days * DAY;
    const rows = this.window(from, to);
    // A running sync whose owner is gone counts as interrupted, and is listed as such among
    // the recent syncs, ended at its last sign of life (as a resume would record it).
    const countedStatus = (r: Row) =>
      r.status === 'running' &&
      ownerGone({
        jobId: r.job_id,
        ownerPid: r.owner_pid,
        ownerHost: r.owner_host,
        ownerBootId: r.owner_boot_id,
        lastActivityAt: r.last_activity_at,
        lastActivityMono: r.last_activity_mono,
      })
        ? 'interrupted'
        : r.status;
    const count = (status: string) => rows.filter((r) => countedStatus(r) === status).length;
    const ended = ENDED.reduce((sum, status) => sum + count(status), 0);
    const completed = rows.filter((r) => r.status === 'completed').map((r) => this.logical(r));
    const durations = completed.map((s) => s.durationMs).sort((a, b) => a - b);
    const p90 = percentile(durations, 90);
    const meanMs =
      durations.length === 0 ? null : Math.round(durations.reduce((a, b) => a + b, 0) / durations.length);

    const names = new Set(completed.flatMap((s) => [...s.phases.keys()]));
    const previous = this.window(from - days * DAY, from)
      .filter((r) => r.status === 'completed')
      .map((r) => this.logical(r));
    const phases = [...names]
      .map((name) => {
        const values = completed
          .map((s) => s.phases.get(name))
          .filter((ms): ms is number => ms !== undefined)
          .sort((a, b) => a - b);
        return { name, values };
      })
      .filter(({ values }) => values.length > 0)
      .map(({ name, values }) => {
        const mean = Math.round(values.reduce((a, b) => a + b, 0) / values.length);
        const before = previous.map((s) => s.phases.get(name)).filter((ms): ms is number => ms !== undefined);
        const previousMean = before.length === 0 ? null : before.reduce((a, b) => a + b, 0) / before.length;
        const change = previousMean === null ? null : percentChange(previousMean, mean);
        return {
          name,
          syncs: values.length,
          meanMs: mean,
          p50Ms: percentile(values, 50),
          p90Ms: percentile(values, 90),
          trend:
            change === null
              ? null
              : {
                  previousMeanMs: Math.round(previousMean!),
                  percentChange: change,
                  direction: trendDirection(change),
                },
        };
      });
    const preferred = (parsed(this.rows[this.rows.length - 1]!.phases) as { name: string }[]).map(
      (p) => p.name,
    );
    const present = new Set(phases.map((p) => p.name));
    const order = [
      ...preferred.filter((n) => present.has(n)),
      ...[...present].filter((n) => !preferred.includes(n)).sort(),
    ];
    const indexing = order.find((n) => /index/i.test(n)) ?? null;

    const rate = (msOf: (s: LogicalSync) => number | undefined) => {
      let files = 0;
      let filesMs = 0;
      let bytes = 0;
      let bytesMs = 0;
      for (const s of completed) {
        const ms = msOf(s);
        if (ms === undefined) continue;
        if (s.row.files_indexed !== null) [files, filesMs] = [files + s.row.files_indexed, filesMs + ms];
        if (s.row.bytes_processed !== null) [bytes, bytesMs] = [bytes + s.row.bytes_processed, bytesMs + ms];
      }
      return { filesPerSecond: perSecond(files, filesMs), bytesPerSecond: perSecond(bytes, bytesMs) };
    };

    const finished = rows.filter((r) => countedStatus(r) !== 'running');
    const memory = finished.map((r) => r.peak_memory_bytes).filter((m): m is number => m !== null);
    const cpu = finished.map((r) => r.mean_cpu_percent).filter((c): c is number => c !== null);
    const buckets = new Map<number, number>();
    for (const r of rows.filter((r) => r.resumed_from_job_id === null)) {
      const bucket = Math.trunc(r.start_time / 900_000);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }

    const newestFirst = (a: Row, b: Row) => b.start_time - a.start_time || b.id - a.id;
    const entry = (r: Row) => {
      const s = this.logical(r);
      const first =
        r.status === 'completed'
          ? null
          : (parsed(r.errors) as { message?: unknown; code?: unknown }[] | null)?.[0];
      const error = first && typeof first === 'object' && typeof first.message === 'string' ? first : null;
      return {
        jobId: r.job_id,
        startedAt: s.startedAt,
        endedAt: r.status === 'running' ? r.last_activity_at : r.end_time,
        status: countedStatus(r),
        durationMs: Math.round(s.durationMs),
        filesIndexed: r.files_indexed,
        reason: (error?.message as string | undefined) ?? null,
        errorCode: typeof error?.code === 'string' ? error.code : null,
      };
    };
    const errors = rows.flatMap((r) => {
      const list = parsed(r.errors);
      return Array.isArray(list) ? list.filter((e) => isErrorEntry(e) && e.code !== 'CANCELLED') : [];
    }) as { phase?: string; code: string }[];
    const points = new Map<string, number>();
    for (const e of errors)
      points.set(`${e.phase ?? ''}/${e.code}`, (points.get(`${e.phase ?? ''}/${e.code}`) ?? 0) + 1);

    return {
      success: {
        syncs: ended,
        succeeded: count('completed'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        interrupted: count('interrupted'),
        inProgress: count('running'),
        percent: ended === 0 ? 0 : round((count('completed') / ended) * 100, 1),
      },
      phases: order.map((name) => phases.find((p) => p.name === name)!),
      meanTotalMs: meanMs,
      totalDuration: meanMs === null ? null : { meanMs, p50Ms: percentile(durations, 50), p90Ms: p90 },
      rates: {
        overall: rate((s) => s.durationMs),
        indexing: {
          phase: indexing,
          ...(indexing === null
            ? { filesPerSecond: null, bytesPerSecond: null }
            : rate((s) => s.phases.get(indexing))),
        },
      },
      failures: { total: errors.length, points: [...points].sort() },
      resources: {
        runs: memory.length,
        meanPeakMemoryBytes:
          memory.length === 0 ? null : Math.round(memory.reduce((a, b) => a + b, 0) / memory.length),
        peakMemoryBytes: memory.length === 0 ? null : Math.max(...memory),
        meanCpuPercent: cpu.length === 0 ? null : round(cpu.reduce((a, b) => a + b, 0) / cpu.length, 1),
      },
      peakUsage: peakUsage(
        [...buckets].map(([bucket, starts]) => ({ bucket, starts })),
        zone,
      ),
      recent: rows
        .filter((r) => ENDED.includes(countedStatus(r)))
        .sort(newestFirst)
        .slice(0, 10)
        .map(entry),
      anomalies: {
        thresholdMs: p90,
        count: p90 === null ? 0 : durations.filter((d) => d > p90).length,
        syncs:
          p90 === null
            ? []
            : completed
                .filter((s) => s.durationMs > p90)
                .map((s) => s.row)
                .sort(newestFirst)
                .slice(0, 10)
                .map(entry),
      },
    };
  }
}
