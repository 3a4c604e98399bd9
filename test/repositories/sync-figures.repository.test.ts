import type { FilledHistoryReport } from '../../src';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { openTestProgressStore } from '../support/progress-store';
import { recordFiguresAgain } from '../support/record-figures-again';
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

  it('records the missing ones of a range of sync ids a few at a time, in id order, and says so first, reading only', () => {
    const { connection, repos, count } = history();
    const [a, b, failed] = connection.sqlite
      .prepare('SELECT id FROM sync_history ORDER BY id')
      .pluck()
      .all() as number[];
    connection.sqlite.prepare('DELETE FROM sync_figures').run();
    expect(repos.syncFigures.missingCount()).toBe(2);
    expect(repos.syncFigures.anyMissingIn(0, a!)).toBe(true);
    expect(repos.syncFigures.anyMissingIn(b!, failed!)).toBe(false);
    expect(count()).toBe(0);
    expect(repos.syncFigures.recordMissingIn({ after: 0, upTo: failed!, limit: 1 })).toEqual({
      recorded: 1,
      last: a,
    });
    expect(repos.syncFigures.missingCount()).toBe(1);
    expect(repos.syncFigures.anyMissingIn(0, a!)).toBe(false);
    expect(repos.syncFigures.recordMissingIn({ after: b!, upTo: failed!, limit: 5 })).toEqual({
      recorded: 0,
      last: b,
    });
    expect(repos.syncFigures.recordMissingIn({ after: a!, upTo: failed!, limit: 5 })).toEqual({
      recorded: 1,
      last: b,
    });
    expect(repos.syncFigures.missingCount()).toBe(0);
    expect(count()).toBe(2);
  });

  it('pages through the stored rows by sync id, saying which are a completed sync’s own', () => {
    const { connection, repos, ids } = history();
    const [a, b] = [ids.a, ids.b].map(
      (jobId) =>
        connection.sqlite
          .prepare('SELECT id FROM sync_history WHERE job_id = ?')
          .pluck()
          .get(jobId) as number,
    );
    connection.sqlite.prepare('UPDATE sync_figures SET start_time = start_time + 1 WHERE sync_id = ?').run(b);
    const first = repos.syncFigures.storedPage(0, 1);
    expect(first).toEqual([
      {
        syncId: a,
        startTime: NOW - 3_000_000,
        phaseNames: '["Indexing"]',
        length: 32,
        figures: expect.any(Buffer),
        ownSync: 1,
      },
    ]);
    expect(repos.syncFigures.storedPage(a!, 5)).toEqual([expect.objectContaining({ syncId: b, ownSync: 0 })]);
    expect(repos.syncFigures.storedPage(b!, 5)).toEqual([]);
    expect(repos.syncFigures.deleteSyncs([a!, 12345])).toBe(1);
    expect(repos.syncFigures.storedPage(0, 5).map((row) => row.syncId)).toEqual([b]);
  });
});

describe('figures of a chain whose earlier runs were edited to durations near 2^63', () => {
  const tmp = useTempDir();

  // SUM() of two 2^62 durations raises "integer overflow". The chain's sum leaves out a run
  // duration that cannot be one, so neither the completion (nor migration 0006, which runs
  // the same statement) nor the report fails on it.
  it('sums the chain without them, recorded or computed', () => {
    const NOW = Date.UTC(2026, 10, 26);
    const { store } = openTestProgressStore(tmp.path, {
      clock: new ManualClock(NOW),
      onWarning: () => {},
    });
    const connection = openTestStore(store.path);
    const factory = new HistoryFactory(connection);
    const [first, second, last] = factory.addChain([
      { startTime: NOW - 3_000_000, status: 'failed', totalDuration: 1 },
      { startTime: NOW - 2_000_000, status: 'failed', totalDuration: 2 },
      { startTime: NOW - 1_000_000, totalDuration: 500 },
    ]);
    connection.sqlite
      .prepare('UPDATE sync_history SET total_duration = 4611686018427387904 WHERE job_id IN (?, ?)')
      .run(first, second);
    connection.sqlite.prepare('DELETE FROM sync_figures').run();
    expect(() => factory.repos.syncFigures.record(last!)).not.toThrow();
    const window = { projectId: 'acme-api', from: 0, to: NOW };
    expect(factory.repos.syncFigures.stored(window).completed!.durationMs).toEqual([500]);
    for (const clear of [false, true]) {
      recordFiguresAgain(store.path, { clear });
      const report = store.metrics.report({ days: 30 }) as FilledHistoryReport;
      expect({ clear, total: report.totalDuration }).toEqual({
        clear,
        total: { meanMs: 500, p50Ms: 500, p90Ms: 500 },
      });
    }
  });
});
