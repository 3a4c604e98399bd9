import type { TrendDirection } from './report-schema';
// (not `import type`: this form is left out of the .d.ts when only internal declarations use it)
import { type RegressionSums } from '../../repositories/sync-stats.repository';

/**
 * A change smaller than this (in percent, either way) is reported as `stable`: run-to-run
 * noise of a sync (network, disk cache) is easily a few percent. A change of exactly 5%
 * counts, so the story's "↑ 5% slower" is a change of at least 5%.
 */
export const STABLE_WITHIN_PERCENT = 5;

/** Nearest-rank percentile of ascending `sorted` values: the value at rank ceil(p·n/100). */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** (current - previous) / previous in percent, one decimal; null without a previous value. */
export function percentChange(previous: number, current: number): number | null {
  if (!(previous > 0)) return null;
  return round(((current - previous) / previous) * 100, 1);
}

/** For durations: lower is better. */
export function trendDirection(percent: number): TrendDirection {
  if (Math.abs(percent) < STABLE_WITHIN_PERCENT) return 'stable';
  // Stryker disable next-line EqualityOperator: 0 is stable, answered above
  return percent < 0 ? 'improvement' : 'slower';
}

/**
 * @internal Least-squares slope of y on x from running sums; null with fewer than two distinct x. */
export function leastSquaresSlope({ n, sumX, sumY, sumXY, sumXX }: RegressionSums): number | null {
  const denominator = n * sumXX - sumX * sumX;
  // Stryker disable next-line ConditionalExpression: with one x (or none) the denominator is x·x - x·x, exactly 0: the next test answers the same
  if (n < 2 || Math.abs(denominator) < 1e-9) return null;
  return (n * sumXY - sumX * sumY) / denominator;
}

/** `amount` per second of `ms`; null when either is unknown or there was no time. */
export function perSecond(amount: number | null, ms: number | null): number | null {
  if (amount === null || ms === null || !(ms > 0)) return null;
  return round((amount / ms) * 1000, 2);
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Rounded to whole ms, or null. */
export function roundMs(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
