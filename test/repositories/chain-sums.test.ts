import BetterSqlite3 from 'better-sqlite3';
import { openStoreDatabase } from '../../src/db/open-store-database';
import { type ChainRun, chainPhases, sumChains, walkChains } from '../../src/repositories/chain-sums';
import { CHAIN_FIGURES } from '../../src/repositories/sync-stats.sql';
import { handEdit } from '../support/hand-edit';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore, storeInternals } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

const tmp = useTempDir();
const DAY = 86_400_000;

describe('sumChains', () => {
  const run = (head: number, durationMs: unknown, phases: string | null, entries?: number): ChainRun => ({
    head,
    durationMs,
    phases: chainPhases(phases),
    entries: entries ?? (phases === null ? 0 : Object.keys(JSON.parse(phases) as object).length),
  });

  it('sums the durations and the numeric phase values of each head, skipping what is not a number or out of range', () => {
    const sums = sumChains([
      run(1, 100, '{"Fetch": 10, "Index": 20}'),
      run(2, 5, null),
      run(1, 50, '{"Fetch": 1, "Index": "slow", "Merge": true, "Other": null}'),
      // As LOGICAL_PHASES skips them: negative, past 2^53 - 1 (JSON.parse rounds this one down to 2^53).
      run(1, 0, '{"Fetch": -5, "Index": 9007199254740993, "Merge": 1e308}'),
      run(2, 7, '{}'),
    ]);
    expect(sums).toEqual(
      new Map([
        [1, { durationMs: 150, phases: { Fetch: 11, Index: 20 } }],
        [2, { durationMs: 12, phases: {} }],
      ]),
    );
  });

  it.each([
    ['a fractional phase value', [run(1, 1, '{"Fetch": 1.5}')]],
    [
      'phase sums past the exact range',
      [run(1, 1, `{"Fetch": ${2 ** 52}}`), run(1, 1, `{"Fetch": ${2 ** 52}}`)],
    ],
    ['a key written twice (two entries for SQL)', [run(1, 1, '{"Fetch": 1, "Fetch": 2}', 2)]],
    ['a duration that is text', [run(1, 'long', null)]],
    ['a fractional duration', [run(1, 0.5, null)]],
    ['durations past the exact range', [run(1, Number.MAX_SAFE_INTEGER, null), run(1, 1, null)]],
    ['phases JavaScript cannot parse', [run(1, 1, '{"Fetch": 1', 1)]],
  ])('leaves a chain with %s to SQL (null), and still sums the others', (_name, runs) => {
    const sums = sumChains([...runs, run(2, 3, '{"Fetch": 4}'), run(1, 1, '{"Fetch": 1}')]);
    expect(sums.get(1)).toBeNull();
    expect(sums.get(2)).toEqual({ durationMs: 3, phases: { Fetch: 4 } });
  });
});

describe('completed figures of resumed syncs', () => {
  it('are what SQL sums, whether JavaScript or SQL sums them', () => {
    const clock = new ManualClock();
    const opened = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const dbPath = opened.store.path;
    closeTestProgressStore(opened.store);
    const connection = openStoreDatabase(dbPath, { now: () => clock.now(), warn: () => {} });
    const history = new HistoryFactory(connection);
    const chains = Array.from({ length: 6 }, (_, i) => {
      const startTime = clock.now() - (i + 1) * DAY;
      return history.addChain([
        { startTime, status: 'interrupted', phaseDurations: { Fetch: 100 + i, Index: 1000 } },
        { startTime: startTime + 60_000, status: 'failed', phaseDurations: { Fetch: 10, Index: 7 * i } },
        { startTime: startTime + 120_000, phaseDurations: { Fetch: 1, Merge: 3 } },
      ]);
    });
    history.add({ startTime: clock.now() - 8 * DAY, phaseDurations: { Fetch: 5 } });
    // A chain whose first run started before the window: read by CHAIN_RUNS, not walked in it.
    history.addChain([
      { startTime: clock.now() - 30 * DAY - 60_000, status: 'interrupted', phaseDurations: { Fetch: 2 } },
      { startTime: clock.now() - 30 * DAY + 60_000, phaseDurations: { Fetch: 3 } },
    ]);
    connection.sqlite.close();
    // Hand edits that JavaScript does not sum (SQL does, for that chain alone).
    const edit = (jobId: string, sql: string) =>
      expect(handEdit(dbPath, `UPDATE sync_history SET ${sql} WHERE job_id = ?`, {}, jobId)).toBe(1);
    // 0.1 + 0.2: SQLite's compensated sum gives 0.3, plain addition 0.30000000000000004.
    edit(chains[0]![0]!, `phase_durations = '{"Fetch": 0.1, "Index": 0.2}'`);
    edit(chains[0]![1]!, `phase_durations = '{"Fetch": 0.2}'`);
    edit(chains[0]![2]!, `phase_durations = '{"Merge": 3}'`);
    edit(chains[1]![1]!, `phase_durations = '{"Fetch": 1, "Fetch": 2}'`);
    edit(chains[2]![0]!, `total_duration = 12.75`);
    edit(chains[3]![0]!, `phase_durations = '[1, 2]'`);
    edit(chains[4]![1]!, `phase_durations = '{oops'`);
    // A chain that goes round (its first run "resumed" its last): SQL walks it to its depth bound.
    edit(chains[5]![0]!, `resumed_from_job_id = '${chains[5]![2]!}'`);

    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const stats = storeInternals(store).repos.syncStats;
    const figures = stats.completedFigures({
      projectId: 'acme-api',
      from: clock.now() - 30 * DAY,
      to: clock.now(),
    });
    const db = new BetterSqlite3(dbPath, { readonly: true });
    try {
      const bySql = db
        .prepare(
          `SELECT s.id AS id, s.start_time AS startTime FROM sync_history s WHERE s.status = 'completed' ORDER BY s.start_time`,
        )
        .all()
        .map((row) => {
          const { id, startTime } = row as { id: number; startTime: number };
          const { durationMs, phases } = db.prepare(CHAIN_FIGURES).get({ id }) as {
            durationMs: number;
            phases: string | null;
          };
          return [durationMs, phases === null ? null : JSON.parse(phases), startTime];
        });
      expect(figures.map(([durationMs, , , phases, startTime]) => [durationMs, phases, startTime])).toEqual(
        bySql,
      );
    } finally {
      db.close();
    }
  });
});

describe('walkChains', () => {
  const head = (id: number, resumedFrom: string) => ({
    run: { head: id, durationMs: 1, phases: null, entries: 0 },
    resumedFrom,
  });
  const resumed = (resumedFrom: string | null, durationMs = 10) => ({
    resumedFrom,
    durationMs,
    phases: { Fetch: durationMs },
    entries: 1,
  });

  it('walks a chain whose runs are all given, head first, and leaves the others to CHAIN_RUNS', () => {
    const runs = new Map([
      ['b', resumed('a', 20)],
      ['a', resumed(null, 30)],
      ['x', resumed('outside')],
      ['p', resumed('q')],
      ['q', resumed('p')],
    ]);
    const walked = walkChains([head(1, 'b'), head(2, 'x'), head(3, 'p'), head(4, 'missing')], runs);
    expect(walked.runs).toEqual([
      { head: 1, durationMs: 1, phases: null, entries: 0 },
      { head: 1, durationMs: 20, phases: { Fetch: 20 }, entries: 1 },
      { head: 1, durationMs: 30, phases: { Fetch: 30 }, entries: 1 },
    ]);
    // A run outside the window, a chain that goes round, a run not given.
    expect(walked.elsewhere).toEqual([2, 3, 4]);
  });

  it('leaves a chain at the depth bound to CHAIN_RUNS, and walks one just under it', () => {
    const chainOf = (length: number) =>
      new Map(Array.from({ length }, (_, i) => [`r${i}`, resumed(i + 1 < length ? `r${i + 1}` : null)]));
    expect(walkChains([head(1, 'r0')], chainOf(1000)).runs).toHaveLength(1001);
    expect(walkChains([head(1, 'r0')], chainOf(1001))).toEqual({ runs: [], elsewhere: [1] });
  });
});
