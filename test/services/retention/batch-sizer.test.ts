import { BatchSizer } from '../../../src/services/retention/batch-sizer';

describe('BatchSizer', () => {
  const sizer = () => new BatchSizer({ initial: 100, min: 10, max: 10_000, targetMs: 8 });

  it('shrinks the next batch at once to fit the target at the cost just measured', () => {
    const s = sizer();
    s.record(100, 40); // 0.4 ms a unit: 20 fit in 8 ms
    expect(s.next).toBe(20);
    s.record(20, 400); // a stall: down to the floor, not below
    expect(s.next).toBe(10);
  });

  it('grows at most twofold per batch, up to what fits, and never past the maximum', () => {
    const s = sizer();
    s.record(100, 0.1); // very cheap: 8000 would fit, but one fast batch only doubles it
    expect(s.next).toBe(200);
    s.record(200, 0.2);
    expect(s.next).toBe(400);
    s.record(400, 2); // 5 µs a unit: 1600 fit, 800 allowed
    expect(s.next).toBe(800);
    for (let i = 0; i < 10; i++) s.record(s.next, 0);
    expect(s.next).toBe(10_000);
  });

  it('does not grow from a short batch (the end of the work), and ignores empty ones', () => {
    const s = sizer();
    s.record(5, 0.01); // 5 units, fast: the size stays, since 5 says little
    expect(s.next).toBe(100);
    s.record(0, 50);
    s.record(10, Number.NaN);
    expect(s.next).toBe(100);
  });

  it('starts within its bounds', () => {
    expect(new BatchSizer({ initial: 1, min: 10, max: 20, targetMs: 8 }).next).toBe(10);
    expect(new BatchSizer({ initial: 99, min: 10, max: 20, targetMs: 8 }).next).toBe(20);
  });
});
