import fs from 'node:fs';
import { ManualClock } from '../../support/manual-clock';
import { MaintenanceLease } from '../../../src/services/retention/maintenance-lease';
import { closeTestProgressStore, openTestProgressStore, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, lastMaintenanceAt, runSlices, seed } from './retention-fixtures';

/**
 * Only a maintenance that finished records `last_maintenance_at` (found by an outside
 * trial): a run that failed used to record it all the same (at its start), so `doctor`
 * called the file healthy and the next daily run was skipped. Made to fail here by a
 * link in place of the archive folder (refused with UNSAFE_PATH when the run archives).
 */
const tmp = useTempDir();

beforeEach(() => jest.useFakeTimers({ doNotFake: ['performance'] }));
afterEach(() => jest.useRealTimers());

/** A file with a sync old enough to archive, and its archive folder replaced by a link. */
function fileWhoseArchiveFails(clock: ManualClock): void {
  const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  seed(store, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 5, outcome: 'completed' });
  fs.mkdirSync(tmp.join('elsewhere'), { mode: 0o700 });
  fs.symlinkSync(tmp.join('elsewhere'), store.retention.archiveDir);
  closeTestProgressStore(store);
}

describe('a maintenance that fails', () => {
  it('runMaintenance(): throws and records nothing; once the cause is gone, the run is still due', () => {
    const clock = new ManualClock();
    fileWhoseArchiveFails(clock);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(() => store.retention.runMaintenance()).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
    expect(lastMaintenanceAt(store)).toBeUndefined();

    fs.unlinkSync(store.retention.archiveDir);
    const report = store.retention.runIfDue();
    expect(report).not.toBeNull();
    expect(report!.removed.syncHistory.rows).toBe(1);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
    // Finished now: not due again within the day.
    clock.advance(DAY - 1);
    expect(store.retention.runIfDue()).toBeNull();
  });

  it('in the background: warns and records nothing, so the next store to open runs it', () => {
    const clock = new ManualClock();
    fileWhoseArchiveFails(clock);
    const first = openTestProgressStore(tmp.path, { clock });
    runSlices(first.store);
    expect(first.warnings).toEqual([
      expect.objectContaining({
        code: 'UNSAFE_PATH',
        message: expect.stringMatching(/^background maintenance failed/),
      }),
    ]);
    expect(lastMaintenanceAt(first.store)).toBeUndefined();
    closeTestProgressStore(first.store);

    fs.unlinkSync(tmp.join('acme-api.archive'));
    const second = openTestProgressStore(tmp.path, { clock });
    runSlices(second.store);
    expect(second.warnings).toEqual([]);
    expect(second.store.retention.upkeep.lastReport!.removed.syncHistory.rows).toBe(1);
    expect(lastMaintenanceAt(second.store)).toBe(clock.now());
  });

  it('a background run skipped while another run holds the lease records nothing and looks again a minute later', () => {
    const clock = new ManualClock();
    const { store: holder } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(holder, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 5, outcome: 'completed' });
    const lease = new MaintenanceLease(storeInternals(holder));
    expect(lease.acquire(0)).toBeNull();

    // The store's slices driven by hand (the scheduler's timers are not the point here).
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const slice = () =>
      (store.retention as unknown as { background: { run(): number | null } }).background.run();
    expect(slice()).toBe(60_000);
    expect(store.retention.upkeep.lastReport!.skipped).toMatchObject({ reason: 'busy' });
    expect(lastMaintenanceAt(store)).toBeUndefined();

    // The other run ends without finishing (it failed, or its store closed): nothing recorded, still due.
    lease.release();
    for (let slices = 0; store.retention.upkeep.lastReport!.skipped; slices++) {
      if (slices > 10_000) throw new Error('the run never finished');
      slice();
    }
    expect(store.retention.upkeep.lastReport!.removed.syncHistory.rows).toBe(1);
    expect(lastMaintenanceAt(store)).toBe(clock.now());
  });
});
