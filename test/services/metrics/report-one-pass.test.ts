import type { FilledHistoryReport, ProgressStore } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

/**
 * The report reads its window in one pass (WINDOW_PASS): statuses as letters, resources
 * summed over every run. Each shortcut has a condition under which it is exact; these are
 * the cases outside it.
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
