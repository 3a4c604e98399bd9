import { HistoryFactory } from '../support/history-factory';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** The figures table through its repository: what is recorded, recorded again, and deleted. */
describe('SyncFiguresRepository', () => {
  const tmp = useTempDir();
  const NOW = Date.UTC(2026, 10, 26);

  function history() {
    const connection = openTestStore(tmp.join('p.db'));
    const factory = new HistoryFactory(connection);
    const ids = {
      a: factory.add({ startTime: NOW - 3_000_000, phaseDurations: { Indexing: 100 } }),
      b: factory.add({ startTime: NOW - 2_000_000, phaseDurations: { Indexing: 200 } }),
      failed: factory.add({ startTime: NOW - 1_000_000, status: 'failed' }),
    };
    const count = () => connection.sqlite.prepare('SELECT count(*) FROM sync_figures').pluck().get();
    return { connection, repos: factory.repos, ids, count };
  }

  it('deletes the figures of the syncs named, and only those; none named deletes nothing', () => {
    const { repos, ids, count } = history();
    expect(count()).toBe(2);
    expect(repos.syncFigures.deleteFor([])).toBe(0);
    expect(repos.syncFigures.deleteFor([ids.a, ids.failed, 'no-such-job'])).toBe(1);
    expect(count()).toBe(1);
    const window = { projectId: 'acme-api', from: 0, to: NOW };
    expect(repos.syncFigures.stored(window).completed!.phaseMs).toEqual([[200]]);
  });

  it('records the missing ones again, and a completed sync only', () => {
    const { connection, repos, ids, count } = history();
    connection.sqlite.prepare('DELETE FROM sync_figures').run();
    expect(repos.syncFigures.recordMissing()).toBe(2);
    expect(repos.syncFigures.recordMissing()).toBe(0);
    repos.syncFigures.record(ids.failed);
    expect(count()).toBe(2);
  });
});
