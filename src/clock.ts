/**
 * Time, injected. `now()` is the wall clock (ms since the epoch) and is what the
 * database stores; `monotonic()` only ever moves forward and is what durations are
 * measured with, so a wall clock set back an hour never makes a duration negative.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
