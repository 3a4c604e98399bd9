/**
 * A small timing harness: every sample is one call timed with process.hrtime.bigint(),
 * after a warmup that lets V8 optimise the code and SQLite warm its page cache. Figures
 * are per call (not batch averages), so p99 and max show the slow calls a caller would see.
 */

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Milliseconds since an arbitrary origin, to the nanosecond. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Time one call of `fn`, in ms. */
export function timeOnce(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface SampleOptions {
  iterations: number;
  warmup?: number;
  /** Runs before each call, untimed (set up the state the timed call needs). */
  before?: (i: number) => void;
}

/** Run `fn(i)` warmup + iterations times; returns the timed samples in ms. */
export function sample(fn: (i: number) => unknown, options: SampleOptions): number[] {
  const warmup = options.warmup ?? Math.min(1000, Math.ceil(options.iterations / 10));
  for (let i = 0; i < warmup; i++) {
    options.before?.(i);
    fn(i);
  }
  const samples = new Array<number>(options.iterations);
  for (let i = 0; i < options.iterations; i++) {
    options.before?.(warmup + i);
    const start = process.hrtime.bigint();
    fn(warmup + i);
    samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return samples;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** What a timed call costs when it does nothing: the floor of every figure here. */
export function timerOverhead(): Stats {
  return stats(sample(() => undefined, { iterations: 100_000, warmup: 10_000 }));
}

/** Format ms for a table: µs below 1 ms, otherwise ms with sensible precision. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} µs`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(0)} ms`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Let the garbage collector run between groups when node was started with --expose-gc. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
