import fs from 'node:fs';
import { openProgressStore } from '../../../src';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore, rows, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, seed } from './retention-fixtures';

const tmp = useTempDir();

const lastMaintenanceAt = (store: Parameters<typeof rows>[0]) =>
  rows<{ value: number }>(store, "SELECT value FROM store_meta WHERE key = 'last_maintenance_at'")[0]?.value;

/** A closed store file holding a checkpoint that is 8 days old (maintenance removes it). */
function fileWithOldCheckpoint(clock: ManualClock): void {
  const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
  seed(store, { jobId: 'stale', start: clock.now() - 8 * DAY, trailRows: 2, outcome: 'failed', checkpointFiles: 10 });
  closeTestProgressStore(store);
}

describe('maintenance when a store opens', () => {
  it('runs when the last run is more than a day old, recorded in the file', () => {
    const clock = new ManualClock();
    fileWithOldCheckpoint(clock);
    let { store } = openTestProgressStore(tmp.path, { clock });
    expect(lastMaintenanceAt(store)).toBe(clock.now());
    expect(hasCheckpoint(store, 'stale')).toBe(false);
    const ranAt = clock.now();
    closeTestProgressStore(store);

    // Exactly a day later: not due. Just over: due.
    clock.advance(DAY);
    ({ store } = openTestProgressStore(tmp.path, { clock }));
    expect(lastMaintenanceAt(store)).toBe(ranAt);
    closeTestProgressStore(store);
    clock.advance(1);
    ({ store } = openTestProgressStore(tmp.path, { clock }));
    expect(lastMaintenanceAt(store)).toBe(clock.now());
  });

  it('does not run with autoMaintenance: false', () => {
    const clock = new ManualClock();
    fileWithOldCheckpoint(clock);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(lastMaintenanceAt(store)).toBeUndefined();
    expect(hasCheckpoint(store, 'stale')).toBe(true);
  });

  it('runs again when the recorded run is in the future (the wall clock was set back)', () => {
    const clock = new ManualClock();
    fileWithOldCheckpoint(clock);
    clock.jumpWall(10 * DAY);
    closeTestProgressStore(openTestProgressStore(tmp.path, { clock }).store);
    clock.jumpWall(-10 * DAY);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(lastMaintenanceAt(store)).toBe(clock.now());
  });

  it('only warns when maintenance fails: the store opens and records', () => {
    const clock = new ManualClock();
    const { store: first } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(first, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    closeTestProgressStore(first);
    // The archive folder's name is taken by a file: archiving fails.
    fs.writeFileSync(first.retention.archiveDir, 'in the way');
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    expect(warnings).toEqual([expect.objectContaining({ code: 'STORAGE', message: expect.stringMatching(/^maintenance at open failed/) })]);
    const sync = store.recording.startSync({ jobId: 'after' });
    sync.finish();
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'after'")).toEqual([{ status: 'completed' }]);
    expect(rows(store, "SELECT job_id FROM sync_history WHERE job_id = 'old'")).toHaveLength(1);
  });

  it('no longer trips over a damaged row: it archives and removes it, and says so (CORRUPT)', () => {
    const clock = new ManualClock();
    const { store: first } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(first, { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' });
    storeInternals(first).connection.sqlite.prepare("UPDATE sync_history SET phases = '{not json' WHERE job_id = 'old'").run();
    closeTestProgressStore(first);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock });
    expect(warnings).toEqual([expect.objectContaining({ code: 'CORRUPT', message: expect.stringMatching(/^maintenance removed 1 damaged row\(s\), 1 sync\(s\) archived first: sync_history job_id=old \(phases\)/) })]);
    expect(rows(store, "SELECT job_id FROM sync_history WHERE job_id = 'old'")).toEqual([]);
    store.recording.startSync({ jobId: 'after' }).finish();
    expect(rows(store, "SELECT status FROM sync_history WHERE job_id = 'after'")).toEqual([{ status: 'completed' }]);
  });

  it('validates maxDatabaseBytes and autoMaintenance, naming the field', () => {
    const open = (extra: object) => () => openProgressStore({ projectId: 'p', dir: tmp.path, ...extra } as never);
    for (const bad of [1000, 1.5e6 + 0.5, -1, '50MB', Number.NaN]) {
      expect(open({ maxDatabaseBytes: bad })).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('maxDatabaseBytes') }));
    }
    expect(open({ autoMaintenance: 'no' })).toThrow(expect.objectContaining({ code: 'VALIDATION', message: expect.stringContaining('autoMaintenance') }));
    expect(fs.existsSync(`${tmp.path}/p.db`)).toBe(false);
    const store = openProgressStore({ projectId: 'p', dir: tmp.path, maxDatabaseBytes: 2_000_000, onWarning: () => {} });
    expect(store.retention.policy.maxDatabaseBytes).toBe(2_000_000);
    store.close();
  });
});
