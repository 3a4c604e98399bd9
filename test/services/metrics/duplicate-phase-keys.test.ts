import { openStoreDatabase } from '../../../src/db/open-store-database';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { recordFiguresAgain } from '../../support/record-figures-again';

/**
 * Phase durations with a key written twice ('{"Indexing": 1000, "Indexing": 5000}': a hand
 * edit, another program) pass every check: the row schema reads them with JSON.parse, where
 * the last value wins. The report must read them the same way wherever it reads them: a
 * run on its own, a run of a resumed sync, the previous window of the trend.
 */
const tmp = useTempDir();
const DAY = 86_400_000;
const TWICE = '{"Indexing": 1000, "Indexing": 5000}';

function historyWithKeyWrittenTwice() {
  const clock = new ManualClock();
  const opened = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  const dbPath = opened.store.path;
  closeTestProgressStore(opened.store);
  const connection = openStoreDatabase(dbPath, { now: () => clock.now(), warn: () => {} });
  const history = new HistoryFactory(connection);
  const phaseDurations = { Indexing: 5000 };
  const edited: string[] = [];
  for (const daysAgo of [3, 10]) {
    const startTime = clock.now() - daysAgo * DAY;
    edited.push(history.add({ startTime, phaseDurations }));
    const [first] = history.addChain([
      { startTime: startTime + 60_000, status: 'interrupted', phaseDurations },
      { startTime: startTime + 120_000, phaseDurations: { Indexing: 0 } },
    ]);
    edited.push(first!);
  }
  connection.sqlite.close();
  for (const jobId of edited)
    handEdit(dbPath, `UPDATE sync_history SET phase_durations = ? WHERE job_id = ?`, {}, TWICE, jobId);
  // Edited after the syncs completed: recorded again, as the upgrade records such rows.
  recordFiguresAgain(dbPath);
  return clock;
}

describe('report() over phase durations with a key written twice', () => {
  it('reads the last value, as the row check does, for a single run, a resumed sync and the trend', () => {
    const clock = historyWithKeyWrittenTwice();
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const report = store.metrics.report({ days: 7 });
    if (report.empty) throw new Error('the report should not be empty');
    expect(report.phases).toEqual([
      {
        name: 'Indexing',
        syncs: 2,
        meanMs: 5000,
        p50Ms: 5000,
        p90Ms: 5000,
        trend: { previousMeanMs: 5000, percentChange: 0, direction: 'stable' },
      },
    ]);
    expect(warnings).toEqual([]);
  });
});
