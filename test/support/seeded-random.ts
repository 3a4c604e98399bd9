import { randomInt as cryptoRandomInt } from 'node:crypto';

/**
 * A small seeded generator (mulberry32) for tests that pick random values: the same seed
 * gives the same sequence, so a failure can be replayed. The seed comes from the named
 * environment variable when set (say CRASH_SEED=12345), else a fresh one is drawn.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** How to run this test again with the same values. */
  replayHint(): string;
}

export function seededRandom(envVar: string): SeededRandom {
  const given = process.env[envVar];
  const seed = given !== undefined && given !== '' ? parseSeed(envVar, given) : cryptoRandomInt(0, 2 ** 32);
  let state = seed;
  return {
    seed,
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    },
    replayHint: () => `${envVar}=${seed}`,
  };
}

function parseSeed(envVar: string, text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`${envVar} must be a whole number from 0 to ${2 ** 32 - 1}, not ${JSON.stringify(text)}`);
  }
  return seed;
}

/** A whole number in [min, max], drawn from `random`. */
export function randomInt(random: SeededRandom, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}
