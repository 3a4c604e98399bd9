import BetterSqlite3 from 'better-sqlite3';
import { type CompletedSyncs, NO_SYNCS } from '../../../src/repositories/completed-syncs';
import { collectWindowFigures } from '../../../src/services/metrics/phase-figures';
import { regressionSumsOf } from '../../../src/services/metrics/regression-sums';
import { mean, percentile } from '../../../src/services/metrics/statistics';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore, storeInternals } from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();
const DAY = 86_400_000;

/** Completed syncs as the report reads them, from one object per sync. */
function syncsOf(
  rows: { durationMs: number; startTime: number; phases?: Record<string, number> }[],
): CompletedSyncs {
  return {
    startTime: rows.map((row) => row.startTime),
    durationMs: rows.map((row) => row.durationMs),
    files: rows.map(() => null),
    bytes: rows.map(() => null),
    phaseNames: rows.map((row) => Object.keys(row.phases ?? {})),
    phaseMs: rows.map((row) => Object.values(row.phases ?? {})),
  };
}

/** Seeded, replayable (mulberry32); the seed is printed when a test fails. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The report reads the completed rows once and derives from them what it used to ask
// SQLite for a second time (the 30-day regression), and selects percentiles instead of
// sorting: the figures must be exactly those of the slower way, bit for bit.
describe('report figures computed from rows already read', () => {
  it.each([1, 2, 3])('gives the regression sums SQLite gives, bit for bit (seed %i)', (seed) => {
    const next = random(seed);
    const clock = new ManualClock();
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const history = new HistoryFactory(openTestStore(store.path));
    history.batch(() => {
      for (let k = 0; k < 400; k++) {
        const status = next() < 0.8 ? 'completed' : 'failed';
        // Some resume chains (their durations summed in SQL), x always a REAL in SQLite's sum.
        const total = Math.round(next() * 900_000);
        const startTime = Math.round(clock.now() - 31 * DAY + next() * 31 * DAY);
        if (next() < 0.05) {
          history.addChain([
            { startTime, status: 'interrupted', totalDuration: total },
            { startTime: startTime + 60_000, totalDuration: Math.round(total / 2) },
          ]);
        } else {
          history.add({ startTime, status, totalDuration: total });
        }
      }
    });
    const { syncStats, syncFigures } = storeInternals(store).repos;
    for (const to of [clock.now(), clock.now() - 2 * DAY + 7]) {
      const window = { projectId: 'acme-api', from: to - 30 * DAY, to };
      const fromSql = syncStats.durationRegression(window);
      const stored = syncFigures.stored(window).completed!;
      for (const syncs of [stored, syncFigures.computed(window)]) {
        const fromRows = regressionSumsOf(syncs, to);
        expect({ seed, ...fromRows }).toEqual({ seed, ...fromSql });
        for (const key of Object.keys(fromSql) as Array<keyof typeof fromSql>)
          expect(Object.is(fromRows[key], fromSql[key])).toBe(true);
      }
    }
    expect(regressionSumsOf(NO_SYNCS, 0)).toEqual({ n: 0, sumX: 0, sumY: 0, sumXY: 0, sumXX: 0 });
  });

  /** DURATION_REGRESSION's sums over `rows` in their order, as SQLite computes them. */
  function sqliteSums(
    db: BetterSqlite3.Database,
    rows: { durationMs: number; startTime: number }[],
    to: number,
  ): Record<string, number> {
    db.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (seq INTEGER PRIMARY KEY, start INTEGER, y ANY)');
    const insert = db.prepare('INSERT INTO t (start, y) VALUES (?, ?)');
    for (const { durationMs, startTime } of rows) insert.run(startTime, durationMs);
    return db
      .prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(x), 0) AS sumX, COALESCE(SUM(y), 0) AS sumY,
           COALESCE(SUM(x * y), 0) AS sumXY, COALESCE(SUM(x * x), 0) AS sumXX
         FROM (SELECT (start - ?) / 86400000.0 AS x, y FROM t ORDER BY seq)`,
      )
      .get(to) as Record<string, number>;
  }

  it('sums as SQLite does when durations are fractional (seeded)', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      for (const seed of [11, 12]) {
        const next = random(seed);
        const to = 1_790_000_000_000;
        const rows = Array.from({ length: 300 }, (_, i) => ({
          durationMs: next() < 0.3 ? next() * 1e6 : Math.floor(next() * 1e6),
          startTime: to - Math.floor(next() * 30 * DAY) + i,
        }));
        const fromSql = sqliteSums(db, rows, to);
        const fromRows = regressionSumsOf(syncsOf(rows), to) as unknown as Record<string, number>;
        for (const key of Object.keys(fromSql))
          expect({ seed, key, same: Object.is(fromRows[key], fromSql[key]) }).toEqual({
            seed,
            key,
            same: true,
          });
      }
    } finally {
      db.close();
    }
  });

  // Where the exact integer sum, the switch to the compensated one, and the compensation
  // itself each change the result: SQLite's SUM() is the reference.
  it.each([
    ['fractions that a large integer absorbs one by one', [2 ** 52, 0.5, 0.5]],
    ['integers whose sum passes 2^53', [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 1]],
    ['a value larger than the sum so far (the compensation of the other order)', [1, 1e100, 1, -1e100]],
    ['integers after a fraction', [0.5, 2 ** 52, 3]],
    ['large integers after fractions', [0.5, 2 ** 52 + 1, 0.5, 2 ** 52 + 1]],
  ])('sums as SQLite does: %s', (_label, durations) => {
    const db = new BetterSqlite3(':memory:');
    try {
      const to = 1_790_000_000_000;
      const rows = durations.map((durationMs, i) => ({ durationMs, startTime: to - (i + 1) * DAY }));
      const fromSql = sqliteSums(db, rows, to);
      const fromRows = regressionSumsOf(syncsOf(rows), to) as unknown as Record<string, number>;
      for (const key of Object.keys(fromSql))
        expect({ key, value: fromRows[key] }).toEqual({ key, value: fromSql[key] });
    } finally {
      db.close();
    }
  });

  /** Kinds of durations, each with a generator: the selection and the sort must agree on all. */
  const VALUE_KINDS: Array<[string, (next: () => number) => number]> = [
    ['integers with many repeats', (next: () => number) => Math.floor(next() * 20)],
    ['integers, spread', (next: () => number) => Math.floor(next() * 10_000_000)],
    ['fractions (the sort path)', (next: () => number) => next() * 1000],
    [
      'integers too large to sum exactly (the sort path)',
      (next: () => number) => Number.MAX_SAFE_INTEGER - Math.floor(next() * 1000),
    ],
  ];

  /** The sort-based figures the report used to compute. */
  function sorted(values: number[]) {
    const s = Float64Array.from(values).sort();
    return {
      syncs: s.length,
      meanMs: Math.round(mean(s)!),
      p50Ms: percentile(s, 50),
      p90Ms: percentile(s, 90),
    };
  }

  const rowsOf = (values: number[]): CompletedSyncs =>
    syncsOf(values.map((ms, i) => ({ durationMs: ms, startTime: i, phases: { Indexing: ms } })));

  it.each(VALUE_KINDS)(
    'selects the same p50 and p90, and the same mean, as sorting does: %s',
    (_label, value) => {
      for (const seed of [7, 8, 9]) {
        const next = random(seed);
        for (const n of [1, 2, 3, 10, 11, 999]) {
          const values = Array.from({ length: n }, () => value(next));
          const {
            name: _name,
            files: _f,
            filesMs: _fm,
            bytes: _b,
            bytesMs: _bm,
            ...figures
          } = collectWindowFigures(rowsOf(values)).phases.get('Indexing')!;
          expect({ seed, n, ...figures }).toEqual({ seed, n, ...sorted(values) });
        }
      }
    },
  );

  it.each(VALUE_KINDS)(
    'gives the total durations the figures sorting gives, and the count above p90: %s',
    (_label, value) => {
      for (const seed of [7, 8, 9]) {
        const next = random(seed);
        for (const n of [1, 2, 3, 10, 11, 999]) {
          const values = Array.from({ length: n }, () => value(next));
          const { syncs: _syncs, ...expected } = sorted(values);
          const above = values.filter((ms) => ms > expected.p90Ms!).length;
          expect({ seed, n, ...collectWindowFigures(rowsOf(values)).durations }).toEqual({
            seed,
            n,
            ...expected,
            aboveP90: above,
          });
        }
      }
      expect(collectWindowFigures(NO_SYNCS).durations).toBeNull();
    },
  );

  // The selection path sums in row order; that is only the ascending sum when every value is a
  // non-negative safe integer. Values the SQL never gives (a fraction, a negative) must take the
  // sorting path: here the row-order sum is a safe integer that rounds the mean the other way.
  describe('the mean when the row-order sum is not the ascending one', () => {
    /** 2^51 + 2 = 3q + 1: it absorbs a quarter in row order, not after two quarters are summed. */
    const BIG = 2 ** 51 + 2;

    it('sorts fractional durations and phase values: the mean is that of the ascending sum', () => {
      const values = [BIG, 0.25, 0.25];
      const expected = sorted(values);
      expect(expected.meanMs).toBe((BIG - 1) / 3 + 1);
      const figures = collectWindowFigures(rowsOf(values));
      expect(figures.durations).toEqual({
        meanMs: expected.meanMs,
        p50Ms: expected.p50Ms,
        p90Ms: expected.p90Ms,
        aboveP90: 0,
      });
      expect(figures.phases.get('Indexing')).toMatchObject(expected);
    });

    it('sorts phase values that are all fractions: the mean is that of the ascending sum', () => {
      // Row order sums to 7318349394477068, ascending to ...066: the means round apart.
      const values = [2 ** 51 + 4.5, 2 ** 51 + 2.5, 2 ** 51 + 2.5, 1.5, 2 ** 49 + 0.125];
      const expected = sorted(values);
      expect(expected.meanMs).toBe(1_463_669_878_895_413);
      expect(collectWindowFigures(rowsOf(values)).phases.get('Indexing')).toMatchObject(expected);
    });

    it('sorts negative durations: the mean is that of the ascending sum', () => {
      const values = [Number.MAX_SAFE_INTEGER, 2, -Number.MAX_SAFE_INTEGER];
      expect(
        collectWindowFigures(syncsOf(values.map((ms, i) => ({ durationMs: ms, startTime: i })))).durations!
          .meanMs,
      ).toBe(1);
    });

    it('skips a phase value outside 0..2^53-1 (damage), whatever else the row holds', () => {
      const rows = syncsOf([
        { durationMs: 10, startTime: 1, phases: { Indexing: -1 } },
        { durationMs: 10, startTime: 2, phases: { Indexing: 2 ** 53 } },
        { durationMs: 10, startTime: 3, phases: { Indexing: 7 } },
      ]);
      expect(collectWindowFigures(rows).phases.get('Indexing')).toMatchObject({
        syncs: 1,
        meanMs: 7,
        p50Ms: 7,
        p90Ms: 7,
      });
    });
  });
});
