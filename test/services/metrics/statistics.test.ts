import {
  leastSquaresSlope,
  mean,
  percentChange,
  percentile,
  perSecond,
  STABLE_WITHIN_PERCENT,
  trendDirection,
} from '../../../src/services/metrics/statistics';

describe('statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 91)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([7, 8], 0)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('averages values', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNull();
  });

  it('calls a change stable below 5% either way', () => {
    expect(STABLE_WITHIN_PERCENT).toBe(5);
    expect(percentChange(100, 88)).toBe(-12);
    expect(percentChange(142_857, 150_000)).toBe(5);
    expect(percentChange(0, 10)).toBeNull();
    expect(trendDirection(-12)).toBe('improvement');
    expect(trendDirection(-5)).toBe('improvement');
    expect(trendDirection(-4.9)).toBe('stable');
    expect(trendDirection(0)).toBe('stable');
    expect(trendDirection(4.9)).toBe('stable');
    expect(trendDirection(5)).toBe('slower');
  });

  it('fits a least-squares slope from running sums', () => {
    const points = [
      [0, 1],
      [1, 3],
      [2, 5],
      [3, 7],
    ];
    const sums = points.reduce(
      (s, [x, y]) => ({
        n: s.n + 1,
        sumX: s.sumX + x!,
        sumY: s.sumY + y!,
        sumXY: s.sumXY + x! * y!,
        sumXX: s.sumXX + x! * x!,
      }),
      { n: 0, sumX: 0, sumY: 0, sumXY: 0, sumXX: 0 },
    );
    expect(leastSquaresSlope(sums)).toBe(2);
    expect(leastSquaresSlope({ n: 1, sumX: 1, sumY: 1, sumXY: 1, sumXX: 1 })).toBeNull();
    expect(leastSquaresSlope({ n: 2, sumX: 2, sumY: 3, sumXY: 3, sumXX: 2 })).toBeNull(); // same x twice
    // The guard against x that are all the same is below 1e-9, not at it.
    expect(leastSquaresSlope({ n: 2, sumX: 0, sumY: 0, sumXY: 1e-9, sumXX: 5e-10 })).toBe(2);
  });

  it('gives rates per second, or null without time or amount', () => {
    expect(perSecond(600, 100_000)).toBe(6);
    expect(perSecond(1, 3_000)).toBe(0.33);
    expect(perSecond(null, 1_000)).toBeNull();
    expect(perSecond(5, null)).toBeNull();
    expect(perSecond(5, 0)).toBeNull();
  });
});
