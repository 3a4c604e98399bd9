/**
 * History metrics: `store.metrics.report({ days })` and `store.metrics.estimateRemaining()`.
 *
 * ## How syncs are counted
 *
 * **Resumed syncs.** A sync that was interrupted (or failed, or was cancelled) and then
 * resumed, perhaps more than once, is ONE logical sync: the chain
 * `interrupted → resumed → completed` counts as one sync that succeeded, not as one
 * failure plus one success. Its duration is the sum of its runs' durations (a run whose
 * process died counts until its last sign of life); its per-phase durations are summed
 * phase by phase; its outcome, file count and bytes are those of its last run (whose
 * file ledger carries the work of the whole chain). It belongs to the window in which
 * its last run started, and to the peak-usage hour in which its first run started.
 * Errors recorded by its earlier runs still show under failure points (a failure that
 * was resumed is still a place where syncs fail), and resource figures are per run
 * (each run is one process). A sync whose checkpoint could not be trusted and was
 * started over is two syncs: the abandoned one counts as interrupted.
 *
 * **Success rate**: completed logical syncs out of those that ended (completed, failed,
 * cancelled, interrupted) in the window; running ones (or ones waiting to be resumed)
 * are reported as in progress and left out. A `running` sync whose owner is gone (see
 * services/liveness: its process ended, or its heartbeat stopped) counts as interrupted,
 * as resume and status treat it, and is listed so among the recent syncs.
 *
 * **Durations** (total, per phase, anomalies' threshold) are of completed syncs: a
 * failed sync's last phase is cut short. Percentiles are nearest-rank. A phase's trend
 * compares its mean with the previous window of the same length: `stable` when the
 * change is under 5% either way, else `improvement` (faster) or `slower`. Anomalies are
 * completed ("finished") syncs slower than the window's p90 of completed durations. The
 * long-term trend is the least-squares slope of completed durations per day over the
 * last 30 days, whatever the report's window.
 *
 * **Rates**: files indexed and bytes processed per second of the syncs' total time, and
 * per second of the indexing phase (the first phase whose name contains "index").
 */
import { IANAZone, SystemZone, type Zone } from 'luxon';
import { ValidationError } from '../../errors';
import type { CompletedSyncs } from '../../repositories/sync-figures.repository';
import type { StatsWindow } from '../../repositories/sync-stats.repository';
import { type PhaseDefinition, phasesSchema } from '../../validation/json-columns';
import { parseInput } from '../../validation/parse';
import { DEFAULT_PHASES } from '../recording/recording-input';
import { isOwnerAlive } from '../liveness';
import type { StoreContext } from '../store-context';
import { type EstimateHistory, type EstimateInput, estimateInputSchema, estimateRemaining } from './estimate';
import { peakUsage } from './peak-usage';
import { collectWindowFigures, indexingPhase, orderPhases } from './phase-figures';
import {
  failuresSection,
  longTermSection,
  phaseSection,
  ratesSection,
  resourcesSection,
  successSection,
  syncEntry,
} from './report-sections';
import { type HistoryReport, type ReportOptions, reportOptionsSchema } from './report-schema';
import { regressionSumsOf } from './regression-sums';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** History is kept for 30 days: the long-term trend and the estimate use all of it. */
const HISTORY_DAYS = 30;
const LISTED_SYNCS = 10;
/** Damaged rows described in warnings per report; past this, they are left out silently. */
const DAMAGED_REPORTED = 20;

export class MetricsService {
  private estimateCache: {
    key: string;
    meanMs: Map<string, number>;
    files: Map<string, [number, number]>;
  } | null = null;

  /** @internal Made by openProgressStore. `zone`: where local times (peak usage, rendered dates) are; default the system's. */
  constructor(
    private readonly context: StoreContext,
    private readonly zone: Zone = SystemZone.instance,
  ) {}

  /** The project's sync history over the last `days` (default 7, at most 30), as plain data. */
  report(options?: ReportOptions): HistoryReport {
    this.context.assertOpen();
    const { days, timeZone } = parseInput(reportOptionsSchema, options, 'report');
    const zone = timeZone === undefined ? this.zone : IANAZone.create(timeZone);
    const { projectId, repos, clock } = this.context;
    const to = clock.now();
    const base = { days, generatedAt: to, timeZone: zone.name, window: { from: to - days * DAY, to } };
    return this.context.read('history report', () => {
      const stats = repos.syncStats;
      // Damaged rows are left out of every figure (see TRUSTED_ROW); each is reported once.
      const damaged = stats.damagedRows(projectId);
      for (const { check } of damaged.slice(0, DAMAGED_REPORTED))
        if (!check.ok) this.context.warnDamaged(check.damage);
      const excluded = damaged.map((row) => row.id);
      const window: StatsWindow = { projectId, from: to - days * DAY, to, excluded };
      // A running sync whose owner is gone is interrupted, as resume and status judge it.
      const gone = stats
        .runningSyncs(window)
        .filter((row) => !isOwnerAlive(row, clock, this.context.settings))
        .map((row) => row.id);
      const { statuses, resources, startBuckets, completedIdSum } = stats.windowPass(window, gone);
      const success = successSection(statuses);
      if (success.syncs === 0) return { empty: true as const, ...base };
      const completedRuns = statuses.find((row) => row.status === 'completed')?.runs ?? 0;
      const completed = this.completedSyncs(window, completedRuns, completedIdSum);

      const figures = collectWindowFigures(completed);
      const ordered = orderPhases(
        figures.phases.keys(),
        this.newestPhases().map((p) => p.name),
      );
      const previous = stats.phaseMeans({
        projectId,
        from: window.from - days * DAY,
        to: window.from,
        excluded,
      });
      const indexing = indexingPhase(ordered);
      const total = figures.durations;
      const p90 = total?.p90Ms ?? null;
      const slow = p90 === null ? [] : stats.slowSyncs(window, p90, LISTED_SYNCS);
      return {
        empty: false as const,
        ...base,
        phases: phaseSection(
          ordered,
          figures.phases,
          new Map(previous.map((row) => [row.phase, row.meanMs])),
        ),
        success,
        meanTotalMs: total?.meanMs ?? null,
        totalDuration: total && { meanMs: total.meanMs, p50Ms: total.p50Ms, p90Ms: total.p90Ms },
        rates: ratesSection(figures.overall, indexing === null ? null : figures.phases.get(indexing)!),
        failures: failuresSection(stats.failurePoints(window)),
        resources: resourcesSection(resources),
        peakUsage: peakUsage(startBuckets, zone),
        recent: stats.recentSyncs(window, LISTED_SYNCS, gone).map(syncEntry),
        anomalies: {
          thresholdMs: p90,
          count: total?.aboveP90 ?? 0,
          syncs: slow.map(syncEntry),
        },
        longTermTrend: longTermSection(
          // Over the 30 days of history: the rows just read (damaged ones already left out),
          // when the window is those 30 days.
          // Stryker disable next-line ConditionalExpression: SQLite's sums are the same, bit for bit (test/services/metrics/report-fast-paths.test.ts); reading them costs a second pass
          days === HISTORY_DAYS
            ? regressionSumsOf(completed, to)
            : stats.durationRegression({ projectId, from: to - HISTORY_DAYS * DAY, to, excluded }),
          HISTORY_DAYS,
        ),
      };
    });
  }

  /**
   * The window's completed syncs as their figures were recorded when each completed, while
   * those records are exactly the window's completed runs (same count, same ids) and every
   * value checks; else (a file some of whose syncs have none, a hand edit) computed from
   * `sync_history` by the same rules, which is slower but the same figures.
   */
  private completedSyncs(window: StatsWindow, completedRuns: number, idSum: number): CompletedSyncs {
    const figures = this.context.repos.syncFigures;
    const stored = figures.stored(window);
    if (stored.completed !== null && stored.syncs === completedRuns && stored.idSum === idSum)
      return stored.completed;
    return figures.computed(window);
  }

  /**
   * Time left for a sync at `progress`, in ms, from its current rate and the project's
   * historical phase durations (see estimate.ts); null when there is nothing to go on.
   * Cheap enough to call with every progress update: the history behind it is read once
   * and again only when a sync completes (or an hour has passed).
   */
  estimateRemaining(progress: EstimateInput): number | null {
    this.context.assertOpen();
    const input = parseInput(estimateInputSchema, progress, 'estimateRemaining');
    if (input.phases && !input.phases.some((p) => p.name === input.phase)) {
      throw new ValidationError([{ path: 'phase', message: `is not one of phases` }], 'estimateRemaining');
    }
    return this.context.read('estimate remaining', () => {
      const phases = input.phases ?? this.newestPhases();
      return estimateRemaining(input, this.estimateHistory(phases));
    });
  }

  private estimateHistory(phases: readonly PhaseDefinition[]): EstimateHistory {
    const { projectId, repos, clock } = this.context;
    const now = clock.now();
    const key = `${repos.syncStats.lastCompletedAt()}:${Math.floor(now / HOUR)}`;
    if (this.estimateCache?.key !== key) {
      const rows = repos.syncStats.phaseMeans({ projectId, from: now - HISTORY_DAYS * DAY, to: now });
      this.estimateCache = {
        key,
        meanMs: new Map(rows.map((row) => [row.phase, row.meanMs])),
        files: new Map(rows.map((row) => [row.phase, [row.files ?? 0, row.filesMs ?? 0]])),
      };
    }
    const { meanMs, files } = this.estimateCache;
    const indexing = indexingPhase(phases.map((p) => p.name));
    const indexed = indexing === null ? undefined : files.get(indexing);
    return {
      phases,
      meanMs,
      indexingPhase: indexing,
      indexingFilesPerSecond:
        indexed && indexed[0] > 0 && indexed[1] > 0 ? (indexed[0] / indexed[1]) * 1000 : null,
    };
  }

  /** The newest sync's phase list (the caller's current one), else CIDX's defaults. */
  private newestPhases(): PhaseDefinition[] {
    const text = this.context.repos.syncStats.newestPhases(this.context.projectId);
    if (text !== null) {
      try {
        const parsed = phasesSchema.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data;
      } catch {
        // A damaged phase list is not trusted: fall through to the defaults.
      }
    }
    return DEFAULT_PHASES;
  }
}
