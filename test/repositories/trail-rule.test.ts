import { maxKeptPlainRows, type TrailPoint, trailRowsToDrop } from '../../src/repositories/trail-rule';
import { randomInt, seededRandom } from '../support/seeded-random';

/** A trail that goes through `phases` in order, each for `lengths[i]` rows, none with a checkpoint. */
function trailThrough(lengths: number[]): TrailPoint[] {
  const trail: TrailPoint[] = [];
  lengths.forEach((length, phase) => {
    for (let i = 0; i < length; i++)
      trail.push({ id: trail.length + 1, phase: `P${phase}`, hasCheckpoint: false });
  });
  return trail;
}

describe('the bound the long-trail selection uses', () => {
  it('leaves room for what compaction keeps of a trail with every phase several rows long', () => {
    for (const phases of [1, 2, 5]) {
      const trail = trailThrough(Array.from({ length: phases }, () => 10));
      const kept = trail.length - trailRowsToDrop(trail).length;
      expect(kept).toBe(2 * phases);
      expect(kept).toBeLessThanOrEqual(maxKeptPlainRows(phases));
    }
  });

  it('is never exceeded by what compaction keeps, whatever the phase lengths', () => {
    const random = seededRandom('TRAIL_RULE_SEED');
    try {
      for (let round = 0; round < 200; round++) {
        const phases = randomInt(random, 1, 8);
        const trail = trailThrough(Array.from({ length: phases }, () => randomInt(random, 1, 12)));
        expect(trail.length - trailRowsToDrop(trail).length).toBeLessThanOrEqual(maxKeptPlainRows(phases));
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\nreplay with ${random.replayHint()}`);
    }
  });
});
