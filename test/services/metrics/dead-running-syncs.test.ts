import type { FilledHistoryReport, ProgressStore } from '../../../src';
import { HistoryFactory } from '../../support/history-factory';
import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore } from '../../support/progress-store';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A sync left `running` by a process that is gone (no heartbeat for longer than
 * staleAfterMs on another host, or its own process closed the store without ending it)
 * is interrupted, as resume and status treat it: report() must not call it in progress.
 * Found by an outside trial of `cidx-progress history`.
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

describe('report() and syncs whose owner is gone', () => {
  it('counts a running sync with a long-stopped heartbeat as interrupted, and a live one as in progress', () => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW), staleAfterMs: 60_000 });
    const history = new HistoryFactory(openTestStore(store.path));
    history.add({ startTime: NOW - 3 * HOUR });
    // Synthetic owners are on another host: only the heartbeat can tell. This one stopped
    // two hours ago; the next beat 10 s ago.
    history.add({ startTime: NOW - 2 * HOUR - 30_000, status: 'running', totalDuration: 30_000 });
    history.add({ startTime: NOW - MINUTE, status: 'running', totalDuration: 50_000 });

    const { success } = filled(store);
    expect(success).toMatchObject({ syncs: 2, succeeded: 1, interrupted: 1, inProgress: 1, percent: 50 });
  });

  it('lists a running sync whose owner is gone among the recent syncs as interrupted, and a live one not at all', () => {
    const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(NOW), staleAfterMs: 60_000 });
    const history = new HistoryFactory(openTestStore(store.path));
    const done = history.add({ startTime: NOW - 3 * HOUR });
    const gone = history.add({
      startTime: NOW - 2 * HOUR - 30_000,
      status: 'running',
      totalDuration: 30_000,
    });
    const live = history.add({ startTime: NOW - MINUTE, status: 'running', totalDuration: 50_000 });

    const { recent, success } = filled(store);
    // As the counts say, and as a resume would record it: ended at its last sign of life.
    expect(success).toMatchObject({ interrupted: 1, inProgress: 1 });
    expect(recent.map((sync) => sync.jobId)).toEqual([gone, done]);
    expect(recent.map((sync) => sync.jobId)).not.toContain(live);
    expect(recent[0]).toEqual({
      jobId: gone,
      startedAt: NOW - 2 * HOUR - 30_000,
      endedAt: NOW - 2 * HOUR,
      status: 'interrupted',
      durationMs: 30_000,
      filesIndexed: null,
      reason: null,
      errorCode: null,
    });
  });

  it('counts a sync whose own process closed the store without ending it as interrupted', () => {
    const clock = new ManualClock(NOW);
    const { store } = openTestProgressStore(tmp.path, { clock });
    const history = new HistoryFactory(openTestStore(store.path));
    history.add({ startTime: NOW - 3 * HOUR });
    const sync = store.recording.startSync({ files: ['a.ts', 'b.ts'] });
    sync.completeFiles(['a.ts']);
    sync.flush();
    clock.advance(MINUTE);
    expect(filled(store).success).toMatchObject({ interrupted: 0, inProgress: 1 });

    // The recorder lets go without an end (as a closing store does): nobody owns it now.
    const { store: other } = openTestProgressStore(tmp.path, { clock });
    store.close();
    const report = filled(other);
    expect(report.success).toMatchObject({ syncs: 2, interrupted: 1, inProgress: 0 });
    expect(report.recent[0]).toMatchObject({ jobId: sync.jobId, status: 'interrupted' });
  });
});
