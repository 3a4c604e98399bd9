import BetterSqlite3 from 'better-sqlite3';
import { TRUSTED_ROW } from '../../../src/repositories/sync-stats.sql';
import { checkRow, keyedBySqlName } from '../../../src/validation/rows';
import { openStoreDatabase } from '../../../src/db/open-store-database';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { recordFiguresAgain } from '../../support/record-figures-again';

/** report() leaves a damaged row out of every figure and says so once, instead of failing or counting it. */
const tmp = useTempDir();
const DAY = 86_400_000;

const DAMAGE: [string, string, { ignoreChecks?: boolean }][] = [
  [
    'a status outside the closed set',
    `UPDATE sync_history SET status = 'bogus' WHERE job_id = 'job-2'`,
    { ignoreChecks: true },
  ],
  ['phases that are not JSON', `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-2'`, {}],
  ['a negative file count', `UPDATE sync_history SET files_indexed = -5 WHERE job_id = 'job-2'`, {}],
  ['a duration that is text', `UPDATE sync_history SET total_duration = 'long' WHERE job_id = 'job-2'`, {}],
  ['a fractional end time', `UPDATE sync_history SET end_time = end_time + 0.5 WHERE job_id = 'job-2'`, {}],
  [
    'phase durations that are not JSON',
    `UPDATE sync_history SET phase_durations = '{oops' WHERE job_id = 'job-2'`,
    {},
  ],
  ['errors that are not JSON', `UPDATE sync_history SET errors = '[{' WHERE job_id = 'job-2'`, {}],
  ['a negative peak memory', `UPDATE sync_history SET peak_memory_bytes = -1 WHERE job_id = 'job-2'`, {}],
];

/** Three completed syncs of 10 files each, a minute apart; the store closed. */
function threeSyncs() {
  const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
  for (const jobId of ['job-1', 'job-2', 'job-3']) {
    const sync = opened.store.recording.startSync({ jobId, files: ['a.ts'] });
    opened.clock.advance(60_000);
    sync.finish({ filesIndexed: 10, bytesProcessed: 1000 });
  }
  const dbPath = opened.store.path;
  closeTestProgressStore(opened.store);
  return { dbPath, clock: opened.clock };
}

describe('report() over a damaged row', () => {
  it.each(DAMAGE)('with %s: left out of every figure, reported once', (_name, edit, options) => {
    const { dbPath, clock } = threeSyncs();
    expect(handEdit(dbPath, edit, options)).toBe(1);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const report = store.metrics.report();
    expect(report).toMatchObject({ empty: false, success: { syncs: 2, succeeded: 2 } });
    if (report.empty) throw new Error('unreachable');
    expect(report.recent.map((s) => s.jobId)).toEqual(['job-3', 'job-1']);
    store.metrics.report();
    expect(warnings.filter((w) => w.code === 'CORRUPT')).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('sync_history row job_id=job-2 is damaged'),
      }),
    ]);
  });

  it('notices a row damaged by another connection after a first report (the damage scan is cached per file version)', () => {
    const { dbPath, clock } = threeSyncs();
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(store.metrics.report()).toMatchObject({ success: { syncs: 3 } });
    handEdit(dbPath, `UPDATE sync_history SET files_indexed = -5 WHERE job_id = 'job-2'`);
    expect(store.metrics.report()).toMatchObject({ success: { syncs: 2 } });
    expect(warnings).toHaveLength(1);
  });

  it.each(DAMAGE)(
    'with %s: the SQL filter and the row schema agree it is damaged',
    (_name, edit, options) => {
      const { dbPath } = threeSyncs();
      handEdit(dbPath, edit, options);
      const db = new BetterSqlite3(dbPath, { readonly: true });
      try {
        const rows = db
          .prepare(`SELECT s.*, ${TRUSTED_ROW} AS trusted FROM sync_history s ORDER BY id`)
          .all() as Record<string, unknown>[];
        const verdicts = rows.map((row) => [
          row.trusted === 1,
          checkRow('sync_history', keyedBySqlName('sync_history', row)).ok,
        ]);
        expect(verdicts).toEqual([
          [true, true],
          [false, false],
          [true, true],
        ]);
      } finally {
        db.close();
      }
    },
  );
});

describe('report() over phase durations that are a JSON array', () => {
  // json_each reads an array as keys "0", "1"…: a resumed run's array must be skipped
  // as the report skips it for a run read on its own, not turned into phases.
  it('leaves them out of a resumed sync and of the previous window, as for a single run', () => {
    const clock = new ManualClock();
    const opened = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const dbPath = opened.store.path;
    closeTestProgressStore(opened.store);
    const connection = openStoreDatabase(dbPath, { now: () => clock.now(), warn: () => {} });
    const history = new HistoryFactory(connection);
    const phaseDurations = { Indexing: 1000 };
    for (const daysAgo of [3, 10]) {
      const startTime = clock.now() - daysAgo * DAY;
      const [first] = history.addChain([
        { startTime, status: 'interrupted', phaseDurations },
        { startTime: startTime + 60_000, phaseDurations },
      ]);
      handEdit(dbPath, `UPDATE sync_history SET phase_durations = '[5, 7]' WHERE job_id = ?`, {}, first);
    }
    connection.sqlite.close();
    // Edited after the syncs completed: recorded again, as the upgrade records such rows.
    recordFiguresAgain(dbPath);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const report = store.metrics.report({ days: 7 });
    if (report.empty) throw new Error('the report should not be empty');
    expect(report.phases).toEqual([
      {
        name: 'Indexing',
        syncs: 1,
        meanMs: 1000,
        p50Ms: 1000,
        p90Ms: 1000,
        trend: { previousMeanMs: 1000, percentChange: 0, direction: 'stable' },
      },
    ]);
  });
});

describe('report() over phase durations that break the rule for a duration', () => {
  // A duration is at most 2^53 - 1 ms and never negative (validation/json-columns). Values
  // outside that are skipped where they are read, as the report skips values of another
  // type: a hand-edited 1e308 showed as "Indexing: 1.3888888888888888e+301h" (and a mean of
  // Infinity), a negative one pulled a resumed sync's sum down.
  it.each([
    ['a huge one', '1e308'],
    ['one past 2^53 - 1', '9007199254740993'],
    ['a negative one', '-5000'],
  ])('leaves %s out of a single run and of a resumed sync', (_name, value) => {
    const clock = new ManualClock();
    const opened = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const dbPath = opened.store.path;
    closeTestProgressStore(opened.store);
    const connection = openStoreDatabase(dbPath, { now: () => clock.now(), warn: () => {} });
    const history = new HistoryFactory(connection);
    const phaseDurations = { Indexing: 1000 };
    const startTime = clock.now() - 3 * DAY;
    history.add({ startTime, phaseDurations });
    const single = history.add({ startTime: startTime + 60_000, phaseDurations });
    const [first] = history.addChain([
      { startTime: startTime + 120_000, status: 'interrupted', phaseDurations },
      { startTime: startTime + 180_000, phaseDurations },
    ]);
    connection.sqlite.close();
    for (const jobId of [single, first])
      handEdit(
        dbPath,
        `UPDATE sync_history SET phase_durations = '{"Indexing": ${value}}' WHERE job_id = ?`,
        {},
        jobId,
      );
    // Edited after the syncs completed: recorded again, as the upgrade records such rows.
    recordFiguresAgain(dbPath);

    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const report = store.metrics.report({ days: 7 });
    if (report.empty) throw new Error('the report should not be empty');
    // The good single run (1000) and the chain's good run (1000); the edited single run has no Indexing value left.
    expect(report.phases).toEqual([
      { name: 'Indexing', syncs: 2, meanMs: 1000, p50Ms: 1000, p90Ms: 1000, trend: null },
    ]);
  });
});
