import { handEdit } from '../../support/hand-edit';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * Values zod refuses on the way out (validation/row-schemas: counts are safe integers, a CPU
 * percentage is finite) that SQLite stores without complaint: a hand edit, another program.
 * The report must leave such a row out and warn once, as status and doctor call it damaged,
 * not count it or fail.
 */
const tmp = useTempDir();

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

describe('report() over figures out of the range zod allows', () => {
  it.each([
    [
      'a file count past 2^53 - 1',
      `UPDATE sync_history SET files_indexed = 4611686018427387904 WHERE job_id = 'job-2'`,
    ],
    [
      'a byte count past 2^53 - 1',
      `UPDATE sync_history SET bytes_processed = 9223372036854775807 WHERE job_id = 'job-2'`,
    ],
    [
      'a duration past 2^53 - 1',
      `UPDATE sync_history SET total_duration = 9007199254740993 WHERE job_id = 'job-2'`,
    ],
    [
      'a peak memory past 2^53 - 1',
      `UPDATE sync_history SET peak_memory_bytes = 9223372036854775807 WHERE job_id IN ('job-2')`,
    ],
    ['an infinite CPU percentage', `UPDATE sync_history SET mean_cpu_percent = 1e999 WHERE job_id = 'job-2'`],
    [
      'an end time past 2^53 - 1',
      `UPDATE sync_history SET end_time = 9223372036854775807, total_duration = NULL WHERE job_id = 'job-2'`,
    ],
  ])('with %s: left out of every figure, reported once', (_name, edit) => {
    const { dbPath, clock } = threeSyncs();
    expect(handEdit(dbPath, edit)).toBe(1);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const report = store.metrics.report();
    expect(report).toMatchObject({ empty: false, success: { syncs: 2, succeeded: 2 } });
    if (report.empty) throw new Error('unreachable');
    expect(report.recent.map((s) => s.jobId)).toEqual(['job-3', 'job-1']);
    expect(warnings.filter((w) => w.code === 'CORRUPT')).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('sync_history row job_id=job-2 is damaged'),
      }),
    ]);
  });

  it('does not fail when two runs hold peak memories whose sum overflows', () => {
    const { dbPath, clock } = threeSyncs();
    expect(
      handEdit(
        dbPath,
        `UPDATE sync_history SET peak_memory_bytes = 9223372036854775807 WHERE job_id IN ('job-1', 'job-2')`,
      ),
    ).toBe(2);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(store.metrics.report()).toMatchObject({ empty: false, success: { syncs: 1 } });
  });
});
