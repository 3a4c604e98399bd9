/**
 * Time, injected. `now()` is the wall clock (ms since the epoch) and is what the
 * database stores; `monotonic()` only ever moves forward and is what durations are
 * measured with, so a wall clock set back an hour never makes a duration negative.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
}

/**
 * A duration as it is stored and reported: whole milliseconds, never negative. The
 * monotonic clock reads fractions of a millisecond; durations are rounded here, where
 * they are measured, so no JSON or row carries `47.472000000008` and none goes below 0
 * when a clock steps back.
 */
export function wholeMs(ms: number): number {
  return Math.max(0, Math.round(ms));
}

/**
 * `monotonic` is CLOCK_MONOTONIC (process.hrtime), which on Linux counts from boot for
 * every process alike: two processes of one boot can compare their readings, which is how
 * the age of an interrupted sync is measured without trusting the wall clock.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => Number(process.hrtime.bigint() / 1000n) / 1000,
};
