import { HistoryFactory } from '../support/history-factory';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** The window's one pass through its repository: runs per status, as the report counts them. */
describe('SyncStatsRepository.windowPass', () => {
  const tmp = useTempDir();
  const NOW = Date.UTC(2026, 10, 26);

  it('lists the statuses that have runs, and only those; a running run whose owner is gone is interrupted', () => {
    const factory = new HistoryFactory(openTestStore(tmp.join('p.db')));
    factory.add({ startTime: NOW - 3_000_000 });
    factory.add({ startTime: NOW - 2_000_000 });
    factory.add({ startTime: NOW - 1_500_000, status: 'failed' });
    const running = factory.add({ startTime: NOW - 1_000_000, status: 'running' });
    const window = { projectId: 'acme-api', from: NOW - 86_400_000, to: NOW };
    const stats = factory.repos.syncStats;
    expect(stats.windowPass(window).statuses).toEqual([
      { status: 'running', runs: 1 },
      { status: 'completed', runs: 2 },
      { status: 'failed', runs: 1 },
    ]);
    const goneId = factory.repos.syncHistory.findByJobId(running)!.id;
    expect(stats.windowPass(window, [goneId]).statuses).toEqual([
      { status: 'completed', runs: 2 },
      { status: 'failed', runs: 1 },
      { status: 'interrupted', runs: 1 },
    ]);
  });
});
