import { systemClock } from '../../src/clock';

describe('systemClock', () => {
  it('now() is the wall clock in ms since the epoch', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('monotonic() never goes backwards and measures elapsed time in ms', () => {
    const start = systemClock.monotonic();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const later = systemClock.monotonic();
    expect(later - start).toBeGreaterThanOrEqual(19);
    expect(later - start).toBeLessThan(5000);
  });
});
