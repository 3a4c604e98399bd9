import { SqliteError } from 'better-sqlite3';
import { backoffDelay, retryWhileBusy } from '../../src/db/busy-retry';
import { DatabaseLockedError } from '../../src/errors';

describe('backoffDelay', () => {
  it('starts at 2.5-5 ms and doubles per attempt', () => {
    expect(backoffDelay(0, () => 0)).toBe(2.5);
    expect(backoffDelay(0, () => 1)).toBe(5);
    expect(backoffDelay(1, () => 0)).toBe(5);
    expect(backoffDelay(1, () => 1)).toBe(10);
    expect(backoffDelay(3, () => 1)).toBe(40);
  });

  it('never exceeds 250 ms however many attempts, and never drops below half its ceiling', () => {
    for (const attempt of [6, 7, 10, 50, 1000]) {
      expect(backoffDelay(attempt, () => 0)).toBe(125);
      expect(backoffDelay(attempt, () => 0.999999)).toBeLessThanOrEqual(250);
    }
  });

  it('jitters within [ceiling/2, ceiling] with the real random source', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(2));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(10);
      expect(d).toBeLessThanOrEqual(20);
    }
    expect(new Set(delays).size).toBeGreaterThan(1); // spread out, not one fixed delay
  });
});

describe('retryWhileBusy', () => {
  const busy = () => new SqliteError('database is locked', 'SQLITE_BUSY');
  afterEach(() => jest.restoreAllMocks());

  it('returns the result of the first try that succeeds', () => {
    let calls = 0;
    const result = retryWhileBusy(
      () => {
        calls++;
        if (calls < 3) throw busy();
        return 'ok';
      },
      5_000,
      'op',
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry errors other than busy/locked', () => {
    const failure = new SqliteError('constraint', 'SQLITE_CONSTRAINT_UNIQUE');
    const work = jest.fn(() => {
      throw failure;
    });
    expect(() => retryWhileBusy(work, 5_000, 'op')).toThrow(failure);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('with a 0 ms bound tries once, even when the clock has not moved since it started', () => {
    // A clock that stands still leaves exactly 0 ms, the edge between trying again and giving up.
    jest.spyOn(performance, 'now').mockReturnValue(1_000);
    let calls = 0;
    const work = () => {
      calls++;
      if (calls === 1) throw busy();
      return 'second try';
    };
    expect(() => retryWhileBusy(work, 0, 'op')).toThrow(DatabaseLockedError);
    expect(calls).toBe(1);
  });

  it('gives up with DatabaseLockedError after its bound, keeping the last busy error as cause', () => {
    const last = busy();
    const started = performance.now();
    let thrown: unknown;
    try {
      retryWhileBusy(
        () => {
          throw last;
        },
        100,
        'checkpoint',
      );
    } catch (error) {
      thrown = error;
    }
    const waited = performance.now() - started;
    expect(thrown).toBeInstanceOf(DatabaseLockedError);
    expect(thrown).toMatchObject({
      code: 'LOCKED',
      cause: last,
      message: 'checkpoint: the database stayed locked by another process for 100 ms',
    });
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(1000);
  });
});
