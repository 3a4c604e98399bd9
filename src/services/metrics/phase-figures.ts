import type { CompletedSyncs } from '../../repositories/sync-figures.repository';
import { mean, percentile } from './statistics';

/** What one phase looks like over the completed syncs of a window. */
export interface PhaseFigures extends Throughput {
  name: string;
  syncs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
}

/** Files and bytes, and the time of the syncs (or phases) that reported them. */
export interface Throughput {
  files: number;
  filesMs: number;
  bytes: number;
  bytesMs: number;
}

/** Nearest-rank order statistics of a set of durations, and its mean rounded to whole ms. */
interface OrderFigures {
  syncs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
}

/** The completed syncs' total durations: what the report's totals and anomalies come from. */
export interface DurationFigures {
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  /** How many are slower than p90 (the anomalies). */
  aboveP90: number;
}

export interface WindowFigures {
  /** Over the total durations of completed syncs; null when none completed. */
  durations: DurationFigures | null;
  /** Over the syncs' total durations. */
  overall: Throughput;
  phases: Map<string, PhaseFigures>;
}

interface Accumulator extends Throughput {
  /** The phase's values, in row order (room for one per row). */
  values: Float64Array;
  count: number;
  /** Their sum in row order: exact while every value is an integer (see phaseFigures). */
  total: number;
  /** Every value is an integer: their sum is exact in any order (see phaseFigures). */
  integers: boolean;
}

/**
 * Per-phase figures of the completed syncs of a window. A value that is not a number from
 * 0 to 2^53 - 1 is damage: it is skipped rather than trusted.
 */
export function collectWindowFigures(syncs: CompletedSyncs): WindowFigures {
  const n = syncs.durationMs.length;
  const durations = new Float64Array(n);
  let durationTotal = 0;
  // Non-negative integers (the durations SQL gives): partial sums stay within the total.
  // Stryker disable next-line BooleanLiteral: false only takes the sorting path, which gives the same figures (test/services/metrics/report-fast-paths.test.ts)
  let wholeDurations = true;
  const overall: Throughput = { files: 0, filesMs: 0, bytes: 0, bytesMs: 0 };
  const phases = new Map<string, Accumulator>();
  // Syncs nearly always share one list of names: its accumulators are looked up once.
  let namesSeen: readonly string[] | null = null;
  let accumulators: Accumulator[] = [];
  for (let i = 0; i < n; i++) {
    const durationMs = syncs.durationMs[i]!;
    const files = syncs.files[i]!;
    const bytes = syncs.bytes[i]!;
    durations[i] = durationMs;
    durationTotal += durationMs;
    // Stryker disable next-line BooleanLiteral,EqualityOperator: each only sends more values to the sorting path (all ints, or all negative ints, still sum exactly in row order)
    if (wholeDurations && !(Number.isSafeInteger(durationMs) && durationMs >= 0)) wholeDurations = false;
    if (files !== null) {
      overall.files += files;
      overall.filesMs += durationMs;
    }
    if (bytes !== null) {
      overall.bytes += bytes;
      overall.bytesMs += durationMs;
    }
    const names = syncs.phaseNames[i]!;
    // Stryker disable next-line ConditionalExpression: looking the same accumulators up again finds the same ones
    if (names !== namesSeen) {
      namesSeen = names;
      accumulators = names.map((name) => accumulatorOf(phases, name, n));
    }
    const values = syncs.phaseMs[i]!;
    // One value per name (a missing one is skipped below, as damage).
    // Stryker disable next-line EqualityOperator: values[length] is undefined, skipped as a missing value
    for (let k = 0; k < accumulators.length; k++) {
      const ms = values[k];
      // Out of a duration's range (validation/json-columns) is skipped, as SQL skips it.
      if (typeof ms !== 'number' || !(ms >= 0 && ms <= Number.MAX_SAFE_INTEGER)) continue;
      const acc = accumulators[k]!;
      acc.values[acc.count++] = ms;
      acc.total += ms;
      // Stryker disable next-line LogicalOperator: it clears the flag at once: the sorting path, same figures
      if (acc.integers && !Number.isSafeInteger(ms)) acc.integers = false;
      if (files !== null) {
        acc.files += files;
        acc.filesMs += ms;
      }
      if (bytes !== null) {
        acc.bytes += bytes;
        acc.bytesMs += ms;
      }
    }
  }
  const figures = new Map<string, PhaseFigures>();
  for (const [name, { values, count, total, integers, files, filesMs, bytes, bytesMs }] of phases) {
    const figuresOf = orderFigures(values.subarray(0, count), integers ? total : null);
    figures.set(name, { name, ...figuresOf, files, filesMs, bytes, bytesMs });
  }
  return {
    durations: n === 0 ? null : durationFigures(durations, wholeDurations ? durationTotal : null),
    overall,
    phases: figures,
  };
}

/** The total durations' figures (a work array: reordered here), as orderFigures finds them. */
function durationFigures(values: Float64Array, integerTotal: number | null): DurationFigures {
  const { meanMs, p50Ms, p90Ms } = orderFigures(values, integerTotal);
  let aboveP90 = 0;
  // Stryker disable next-line EqualityOperator: values[length] is undefined, and undefined > p90 is false
  for (let i = 0; i < values.length; i++) if (values[i]! > p90Ms) aboveP90++;
  return { meanMs, p50Ms, p90Ms, aboveP90 };
}

/**
 * Mean, p50 and p90 of non-empty `values` (a work array: reordered here). p50 and p90 are
 * order statistics: found by selection (linear) rather than a sort, with the same
 * nearest-rank values. The mean sums in ascending order, as it always did; when every
 * value is an integer (durations in ms always are) the sum is exact in any order, so the
 * row-order `integerTotal` is used and the sort is skipped.
 */
function orderFigures(values: Float64Array, integerTotal: number | null): OrderFigures {
  const n = values.length;
  // Non-negative integers whose total is exact: every partial sum was exact too.
  if (integerTotal === null || !Number.isSafeInteger(integerTotal)) {
    // Typed arrays sort numerically without a comparator: several times faster on 10k values.
    const sorted = values.sort();
    return {
      syncs: n,
      meanMs: Math.round(mean(sorted)!),
      p50Ms: percentile(sorted, 50)!,
      p90Ms: percentile(sorted, 90)!,
    };
  }
  const rank = (p: number) => Math.max(1, Math.ceil((p / 100) * n)) - 1;
  const p90 = selectInPlace(values, 0, n - 1, rank(90));
  // Everything before rank(90) is now at most p90: p50 is among them.
  const p50 = selectInPlace(values, 0, rank(90), rank(50));
  return { syncs: n, meanMs: Math.round(integerTotal / n), p50Ms: p50, p90Ms: p90 };
}

/**
 * The value of rank `k` (0-based, ascending) of a[left..right], moving it to a[k] with
 * smaller-or-equal values before it and greater-or-equal after (Hoare's quickselect,
 * median-of-three pivot).
 */
function selectInPlace(a: Float64Array, left: number, right: number, k: number): number {
  let lo = left;
  let hi = right;
  // Stryker disable next-line EqualityOperator: a range of one partitions into itself and breaks: a[k] is unchanged
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const pivot = medianOfThree(a[lo]!, a[mid]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (
      // Stryker disable next-line ConditionalExpression: with j < k < i, a[k] equals the pivot and only a[i..] moves after
      k >= i
    )
      lo = i;
    else break;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  // Stryker disable next-line MethodExpression: any of the three is a pivot that stops both scans; the median only bounds the work
  return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
}

/** The accumulator of phase `name`, made with room for `rows` values the first time. */
function accumulatorOf(phases: Map<string, Accumulator>, name: string, rows: number): Accumulator {
  let acc = phases.get(name);
  if (!acc) {
    acc = {
      values: new Float64Array(rows),
      count: 0,
      total: 0,
      // Stryker disable next-line BooleanLiteral: false only takes the sorting path, which gives the same figures
      integers: true,
      files: 0,
      filesMs: 0,
      bytes: 0,
      bytesMs: 0,
    };
    phases.set(name, acc);
  }
  return acc;
}

/**
 * Phases in display order: the order of `preferred` (the newest sync's phase list), then
 * any other phase with data, alphabetically (a phase list that changed over time).
 */
export function orderPhases(names: Iterable<string>, preferred: readonly string[]): string[] {
  const present = new Set(names);
  const first = preferred.filter((name) => present.has(name));
  const rest = [...present].filter((name) => !preferred.includes(name)).sort();
  return [...first, ...rest];
}

/**
 * The indexing phase, whose files/s is "the rate while indexing": the first phase, in
 * display order, whose name contains "index" (any case). With CIDX's default phases that
 * is "Indexing Files" (not "Validating Index", which comes after it); with the story's
 * short names, "Indexing".
 */
export function indexingPhase(ordered: readonly string[]): string | null {
  return ordered.find((name) => /index/i.test(name)) ?? null;
}
