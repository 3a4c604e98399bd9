import { historyReportSchema } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A run's errors column is JSON that parses, holding an entry of the wrong shape (a hand
 * edit, another program): a code that is an object, a message that is a number, a time
 * that is text. Failure points read entry by entry (json_each), so such an entry is
 * skipped where it is read, as a phase duration of the wrong type is: the report holds
 * only what its own published schema allows.
 */
const tmp = useTempDir();

const GOOD = { phase: 'Indexing', code: 'ETIMEDOUT', message: 'timed out', at: 0 };

describe('report() failure points over error entries of the wrong shape', () => {
  it.each([
    ['a code that is an object', { ...GOOD, code: { x: 1 } }],
    ['a code that is a number', { ...GOOD, code: 7 }],
    ['a message that is a number', { ...GOOD, message: 5 }],
    ['no message', { phase: 'Indexing', code: 'ETIMEDOUT', at: 0 }],
    ['a time that is text', { ...GOOD, at: 'yesterday' }],
    ['a negative time', { ...GOOD, at: -5 }],
    ['a phase that is a number', { ...GOOD, phase: 3 }],
  ])('with %s: the entry is skipped, the report keeps to its schema', (_name, bad) => {
    const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
    for (const jobId of ['job-1', 'job-2']) {
      const sync = opened.store.recording.startSync({ jobId, files: ['a.ts'] });
      opened.clock.advance(60_000);
      sync.finish({ filesIndexed: 10, bytesProcessed: 1000 });
    }
    const at = opened.clock.now();
    const dbPath = opened.store.path;
    closeTestProgressStore(opened.store);
    const errors = [
      { ...GOOD, at },
      { ...bad, at: bad.at === 0 ? at : bad.at },
    ];
    handEdit(
      dbPath,
      `UPDATE sync_history SET status = 'failed', errors = ? WHERE job_id = 'job-2'`,
      {},
      JSON.stringify(errors),
    );
    const { store } = openTestProgressStore(tmp.path, { clock: opened.clock, autoMaintenance: false });
    const report = store.metrics.report();
    if (report.empty) throw new Error('the report should not be empty');
    expect(report.failures).toEqual({
      total: 1,
      points: [
        { phase: 'Indexing', code: 'ETIMEDOUT', count: 1, share: 100, lastSeen: at, message: 'timed out' },
      ],
    });
    expect(historyReportSchema.safeParse(report).success).toBe(true);
  });

  it('counts a time written as a whole number in exponent form, which the row check reads as an integer', () => {
    const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const sync = opened.store.recording.startSync({ jobId: 'job-1', files: ['a.ts'] });
    opened.clock.advance(60_000);
    sync.finish({ filesIndexed: 10 });
    const dbPath = opened.store.path;
    closeTestProgressStore(opened.store);
    const errors = `[{"phase": null, "code": "EIO", "message": "m", "at": 1.5e3}]`;
    handEdit(dbPath, `UPDATE sync_history SET status = 'failed', errors = ?`, {}, errors);
    const { store } = openTestProgressStore(tmp.path, { clock: opened.clock, autoMaintenance: false });
    const report = store.metrics.report();
    if (report.empty) throw new Error('the report should not be empty');
    expect(report.failures.points).toEqual([
      { phase: null, code: 'EIO', count: 1, share: 100, lastSeen: 1500, message: 'm' },
    ]);
  });
});
