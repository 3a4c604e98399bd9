import type { FilledHistoryReport, ProgressStore } from '../../../src';
import { unpackCompletedFigures, unpackResumedRuns } from '../../../src/repositories/completed-figures';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

/**
 * The report reads its window in one pass (WINDOW_PASS): the completed syncs' figures as
 * two aggregated texts, statuses as letters, resources summed over every run. Each shortcut
 * has a condition under which it is exact; these are the cases outside it.
 */
const tmp = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);

function filled(store: ProgressStore): FilledHistoryReport {
  const report = store.metrics.report({ timeZone: 'UTC' });
  if (report.empty) throw new Error('expected a filled report');
  return report;
}

describe('report() in one pass', () => {
  it('reads the completed rows one by one when their joined phase texts are not JSON, with the same figures', () => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW), staleAfterMs: 60_000 });
    const history = new HistoryFactory(openTestStore(store.path));
    history.add({ startTime: NOW - 3 * HOUR, phaseDurations: { Indexing: 100 } });
    const edited = history.add({ startTime: NOW - 2 * HOUR, phaseDurations: { Indexing: 300 } });
    // SQLite's JSON reads up to the NUL and calls the text valid, so the row is trusted;
    // joined with the others it makes text JavaScript cannot parse, and so it does alone.
    expect(
      handEdit(
        store.path,
        `UPDATE sync_history SET phase_durations = '{"Indexing": 5}' || char(0) || ',{"Indexing": 7}' WHERE job_id = ?`,
        {},
        edited,
      ),
    ).toBe(1);

    const report = filled(store);
    expect(report.success).toMatchObject({ syncs: 2, succeeded: 2 });
    expect(report.totalDuration).toEqual({ meanMs: 200, p50Ms: 100, p90Ms: 300 });
    // The edited row's phase durations are damage: skipped, as a row read alone skips them.
    expect(report.phases.map(({ name, syncs, meanMs }) => ({ name, syncs, meanMs }))).toEqual([
      { name: 'Indexing', syncs: 1, meanMs: 100 },
    ]);
  });

  it('leaves the resources of a live running sync out, and counts those of one whose owner is gone', () => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW), staleAfterMs: 60_000 });
    const history = new HistoryFactory(openTestStore(store.path));
    history.add({ startTime: NOW - 3 * HOUR, peakMemoryBytes: 100, meanCpuPercent: 10 });
    const gone = history.add({ startTime: NOW - 2 * HOUR, status: 'running', totalDuration: 30_000 });
    const live = history.add({ startTime: NOW - MINUTE, status: 'running', totalDuration: 50_000 });
    // A running row has no resource figures until it ends; a hand edit (or an older writer) can give it some.
    for (const [jobId, memory, cpu] of [
      [gone, 300, 30],
      [live, 900, 90],
    ] as const)
      handEdit(
        store.path,
        `UPDATE sync_history SET peak_memory_bytes = ?, mean_cpu_percent = ? WHERE job_id = ?`,
        {},
        memory,
        cpu,
        jobId,
      );

    expect(filled(store).resources).toEqual({
      runs: 2,
      meanPeakMemoryBytes: 200,
      peakMemoryBytes: 300,
      meanCpuPercent: 20,
    });
  });
});

describe('unpackCompletedFigures', () => {
  const row = (head: unknown = null) => [10, 1, 2, null, 1000, head];

  it('pairs each row with its phase durations, parsed', () => {
    expect(unpackCompletedFigures(JSON.stringify([row(), row([7, 'job-a', 1])]), '[{"A": 1},null]')).toEqual([
      [10, 1, 2, { A: 1 }, 1000, null],
      [10, 1, 2, null, 1000, [7, 'job-a', 1]],
    ]);
    expect(unpackCompletedFigures('[]', null)).toEqual([]);
  });

  it.each([
    ['figures that are not JSON', '[[1,', '[]'],
    ['phases that are not JSON', JSON.stringify([row()]), '[{"A": 1}\u0000]'],
    ['more rows than phase texts', JSON.stringify([row(), row()]), '[null]'],
    ['fewer rows than phase texts', JSON.stringify([row()]), '[null, null]'],
    ['figures that are not an array', '{}', '[]'],
    ['a row of the wrong length', JSON.stringify([[10, 1, 2, null, 1000]]), '[null]'],
    ['a duration that is not a number', JSON.stringify([['10', 1, 2, null, 1000, null]]), '[null]'],
    ['a count that is not a number', JSON.stringify([[10, '1', 2, null, 1000, null]]), '[null]'],
    ['a start that is not a number', JSON.stringify([[10, 1, 2, null, null, null]]), '[null]'],
    ['a chain head that is not [id, job, entries]', JSON.stringify([row('x')]), '[null]'],
    ['a chain head that is a bare id', JSON.stringify([row(7)]), '[null]'],
    ['a chain head whose job is not text', JSON.stringify([row([7, 8, 1])]), '[null]'],
    ['a chain head without its entries', JSON.stringify([row([7, 'job-a'])]), '[null]'],
    ['a filled phase slot', JSON.stringify([[10, 1, 2, {}, 1000, null]]), '[null]'],
  ])('gives null (the caller reads row by row) for %s', (_label, figures, phases) => {
    expect(unpackCompletedFigures(figures, phases)).toBeNull();
  });
});

describe('unpackResumedRuns', () => {
  it('gives the runs by job id, with their parsed phase durations', () => {
    expect(unpackResumedRuns('[["b","a",20,1],["a",null,null,0]]', '[{"Fetch": 20},null]')).toEqual(
      new Map([
        ['b', { resumedFrom: 'a', durationMs: 20, phases: { Fetch: 20 }, entries: 1 }],
        ['a', { resumedFrom: null, durationMs: null, phases: null, entries: 0 }],
      ]),
    );
    expect(unpackResumedRuns('[]', null)).toEqual(new Map());
  });

  it.each([
    ['runs that are not JSON', '[["b"', '[]'],
    ['phases that are not JSON', '[["b",null,1,0]]', '[{\u0000}]'],
    ['more runs than phase texts', '[["b",null,1,0]]', '[]'],
    ['runs that are not an array', '{}', '[]'],
    ['a run of the wrong length', '[["b",null,1]]', '[null]'],
    ['a job id that is not text', '[[5,null,1,0]]', '[null]'],
    ['a resumed job that is not text', '[["b",5,1,0]]', '[null]'],
    ['a duration that is text', '[["b",null,"1",0]]', '[null]'],
    ['entries that are not a number', '[["b",null,1,null]]', '[null]'],
  ])('gives null (every chain is read by CHAIN_RUNS) for %s', (_label, runs, phases) => {
    expect(unpackResumedRuns(runs, phases)).toBeNull();
  });
});
