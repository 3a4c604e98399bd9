import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ENDED_STATUSES } from '../../schema/sync-status';

/**
 * The history report: a plain, JSON-serialisable object (numbers, strings, null). Times
 * are ms since the epoch, durations ms, percents 0-100 with one decimal. Exported so
 * callers can validate a report they stored or received.
 */

const count = z.number().int().nonnegative();
const ms = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative();
const epochMs = z.number().int();
const percent = z.number().finite();

export const TREND_DIRECTIONS = ['improvement', 'slower', 'stable'] as const;
export type TrendDirection = (typeof TREND_DIRECTIONS)[number];

export const trendSchema = z.object({
  previousMeanMs: ms,
  /** (current - previous) / previous, in percent: negative is faster. */
  percentChange: percent,
  direction: z.enum(TREND_DIRECTIONS),
});

export const phaseReportSchema = z.object({
  name: z.string(),
  /** Completed syncs that went through this phase. */
  syncs: count,
  meanMs: ms,
  p50Ms: ms,
  p90Ms: ms,
  /** Against the previous window of the same length; null when that window has no data. */
  trend: trendSchema.nullable(),
});

export const successSchema = z.object({
  /** Logical syncs that ended in the window (the denominator). */
  syncs: count,
  succeeded: count,
  failed: count,
  cancelled: count,
  interrupted: count,
  /** Still running, or waiting to be resumed: not counted above. */
  inProgress: count,
  percent: percent,
});

export const durationSummarySchema = z.object({ meanMs: ms, p50Ms: ms, p90Ms: ms });

const rateSchema = z.object({
  filesPerSecond: z.number().nonnegative().nullable(),
  bytesPerSecond: z.number().nonnegative().nullable(),
});

export const ratesSchema = z.object({
  overall: rateSchema,
  /** Per second of the indexing phase (the first phase whose name contains "index"). */
  indexing: rateSchema.extend({ phase: z.string().nullable() }),
});

export const failurePointSchema = z.object({
  phase: z.string().nullable(),
  code: z.string(),
  count: count,
  /** Share of all failures in the window, in percent. */
  share: percent,
  lastSeen: epochMs,
  /** The latest message seen for this phase and code. */
  message: z.string(),
});

export const resourcesSchema = z.object({
  /** Runs (processes) that reported figures. */
  runs: count,
  meanPeakMemoryBytes: bytes.nullable(),
  peakMemoryBytes: bytes.nullable(),
  meanCpuPercent: z.number().nonnegative().nullable(),
});

export const peakUsageSchema = z.object({
  weekday: z.string(),
  /** 1 = Monday … 7 = Sunday. */
  isoWeekday: z.number().int().min(1).max(7),
  /** Local hours of the two-hour window: [startHour, endHour). */
  startHour: z.number().int().min(0).max(22),
  endHour: z.number().int().min(2).max(24),
  starts: count,
});

export const syncEntrySchema = z.object({
  jobId: z.string(),
  startedAt: epochMs,
  endedAt: epochMs.nullable(),
  status: z.enum(ENDED_STATUSES),
  durationMs: ms,
  filesIndexed: count.nullable(),
  /** Why it did not complete: the first error's message, when one was recorded. */
  reason: z.string().nullable(),
  errorCode: z.string().nullable(),
});

export const anomaliesSchema = z.object({
  /** p90 of completed durations in the window; completed syncs slower than this are anomalies. */
  thresholdMs: ms.nullable(),
  count: count,
  /** The newest ten of them. */
  syncs: z.array(syncEntrySchema),
});

export const longTermTrendSchema = z.object({
  days: z.number().int().positive(),
  syncs: count,
  /** Least-squares slope of completed durations per day: positive is getting slower. */
  slopeMsPerDay: z.number().finite().nullable(),
  meanMs: ms.nullable(),
  /** slope × days as a share of the mean, in percent. */
  changePercent: percent.nullable(),
  direction: z.enum(TREND_DIRECTIONS).nullable(),
});

const reportBase = {
  days: z.number().int().min(1).max(30),
  generatedAt: epochMs,
  /** IANA name of the zone local times (peak usage, rendered dates) are in. */
  timeZone: z.string(),
  window: z.object({ from: epochMs, to: epochMs }),
};

export const emptyHistoryReportSchema = z.object({ empty: z.literal(true), ...reportBase });

export const filledHistoryReportSchema = z.object({
  empty: z.literal(false),
  ...reportBase,
  phases: z.array(phaseReportSchema),
  success: successSchema,
  /** Mean total time of completed syncs; null when none completed. */
  meanTotalMs: ms.nullable(),
  totalDuration: durationSummarySchema.nullable(),
  rates: ratesSchema,
  failures: z.object({ total: count, points: z.array(failurePointSchema) }),
  resources: resourcesSchema,
  peakUsage: peakUsageSchema.nullable(),
  recent: z.array(syncEntrySchema),
  anomalies: anomaliesSchema,
  longTermTrend: longTermTrendSchema,
});

export const historyReportSchema = z.discriminatedUnion('empty', [
  emptyHistoryReportSchema,
  filledHistoryReportSchema,
]);

export type HistoryReport = z.infer<typeof historyReportSchema>;
export type FilledHistoryReport = z.infer<typeof filledHistoryReportSchema>;
export type EmptyHistoryReport = z.infer<typeof emptyHistoryReportSchema>;
export type PhaseReport = z.infer<typeof phaseReportSchema>;
export type SyncEntry = z.infer<typeof syncEntrySchema>;
export type FailurePoint = z.infer<typeof failurePointSchema>;
export type PeakUsage = z.infer<typeof peakUsageSchema>;
export type PhaseTrend = z.infer<typeof trendSchema>;
export type LongTermTrend = z.infer<typeof longTermTrendSchema>;

/** report() options: `days` 1..30 (default 7); `timeZone` an IANA name (default: the system's). */
export const reportOptionsSchema = z
  .object({
    days: z.number().int().min(1).max(30).default(7),
    timeZone: z
      .string()
      .max(100)
      .refine((name) => IANAZone.isValidZone(name), 'must be an IANA time zone, such as Europe/Berlin')
      .optional(),
  })
  .strict()
  .default({ days: 7 });
export type ReportOptions = z.input<typeof reportOptionsSchema>;
