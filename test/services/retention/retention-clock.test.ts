import { openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, jobIds, tableCounts } from './retention-fixtures';

/**
 * Finding 6: retention ages rows as resume does, by the monotonic clock on the host and
 * boot that recorded them. A wall clock set 40 days forward (monotonic time untouched)
 * must not archive, compact or expire anything recorded seconds ago.
 */
const tmp = useTempDir();

function recordSync(
  store: ReturnType<typeof openTestProgressStore>['store'],
  clock: ReturnType<typeof openTestProgressStore>['clock'],
  jobId: string,
  end: 'finish' | 'fail',
) {
  const sync = store.recording.startSync({ jobId, files: repoPaths(20) });
  for (let i = 1; i <= 30; i++) {
    clock.advance(1000);
    if (i <= 10) sync.completeFiles([repoPaths(20)[i - 1]!]);
    sync.update({
      phase: i < 15 ? 'Detecting Changes' : 'Indexing Files',
      percent: 40 + i,
      phasePercent: i * 3,
      filesProcessed: i,
      totalFiles: 30,
      rate: 1,
    });
  }
  if (end === 'finish') sync.finish();
  else sync.fail({ message: 'embedding service timed out' });
}

describe('retention and a wall clock set forward', () => {
  it('does not archive, compact or delete a sync that completed seconds ago', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false, throttleMs: 0 });
    recordSync(store, clock, 'just-done', 'finish');
    const before = tableCounts(store);
    clock.advance(5000);
    clock.jumpWall(40 * DAY);
    const report = store.retention.runMaintenance();
    expect(jobIds(store)).toEqual(['just-done']);
    expect(tableCounts(store)).toEqual(before);
    expect(report.archive.rows).toBe(0);
    expect(report.removed.progressCompacted.rows).toBe(0);
  });

  it('keeps the checkpoint of a sync that failed two days ago', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false, throttleMs: 0 });
    recordSync(store, clock, 'failed-2d', 'fail');
    expect(hasCheckpoint(store, 'failed-2d')).toBe(true);
    clock.advance(2 * DAY);
    clock.jumpWall(40 * DAY);
    store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'failed-2d')).toBe(true);
    expect(jobIds(store)).toEqual(['failed-2d']);
  });

  it('still archives a sync that is old by the monotonic clock, whatever the wall clock says', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false, throttleMs: 0 });
    recordSync(store, clock, 'month-old', 'finish');
    clock.advance(31 * DAY);
    const report = store.retention.runMaintenance();
    expect(jobIds(store)).toEqual([]);
    expect(report.archive.rows).toBe(1);
  });
});
