import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { ProgressStore } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, seed, storeMeta } from './retention-fixtures';

/**
 * Maintenance's search for damaged rows goes on where the last run stopped: a store
 * closed mid-run (a short sync) leaves each table's cursor in store_meta, and the next
 * open's run starts from it instead of from the first row, so a heavy file is searched
 * to the end over several short opens. A finished run clears the cursors: the next run is
 * a full pass, which is what finds rows damaged behind a cursor.
 */
const tmp = useTempDir();

const CURSOR = 'damaged_search_after progress_updates';

const cursorRows = (store: ProgressStore) =>
  rows(store, "SELECT key FROM store_meta WHERE key LIKE 'damaged_search_after %'");

const trailIds = (store: ProgressStore) =>
  rows<{ id: number }>(store, 'SELECT id FROM progress_updates ORDER BY id').map((r) => r.id);

/** The store's slices driven by hand (the scheduler's timers are not the point here). */
const sliceOf = (store: ProgressStore) => () =>
  (store.retention as unknown as { background: { run(): number | null } }).background.run();

/** Slices until a run has finished now (with autoMaintenance off, the state stays `off`). */
function runToEnd(store: ProgressStore, clock: ManualClock): void {
  const slice = sliceOf(store);
  for (let slices = 0; storeMeta(store, 'last_maintenance_at') !== clock.now(); slices++) {
    if (slices > 10_000) throw new Error('the run never finished');
    slice();
  }
}

const damage = (path: string, id: number) =>
  handEdit(
    path,
    'UPDATE progress_updates SET overall_progress = 250 WHERE id = ?',
    { ignoreChecks: true },
    id,
  );

describe('the damaged-row search across runs', () => {
  it('continues from the cursor a stopped run left, and a finished run clears it', () => {
    const clock = new ManualClock();
    const { store: seeding } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    // A recent sync (nothing for the later steps to do with its trail): three pieces of trail.
    seed(seeding, {
      jobId: 'recent',
      start: clock.now() - 30 * 60_000,
      trailRows: 1_400,
      outcome: 'completed',
    });
    const ids = trailIds(seeding);
    closeTestProgressStore(seeding);

    // A short open: the run's first slice checks the first piece of the trail, then the store closes.
    const first = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    sliceOf(first.store)();
    const cursor = storeMeta(first.store, CURSOR);
    expect(cursor).toBe(ids[499]);
    expect(storeMeta(first.store, 'last_maintenance_at')).toBeUndefined();
    closeTestProgressStore(first.store);

    // Damage on both sides of the cursor.
    const behind = ids[10]!;
    const ahead = ids[ids.length - 1]!;
    damage(first.store.path, behind);
    damage(first.store.path, ahead);

    const second = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    runToEnd(second.store, clock);
    // The new run started at the cursor: it found the row ahead of it, not the one behind.
    expect(second.warnings).toEqual([
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringMatching(/removed 1 damaged row/) }),
    ]);
    expect(second.warnings[0]!.message).toContain(`id=${ahead}`);
    expect(trailIds(second.store)).toContain(behind);
    expect(trailIds(second.store)).not.toContain(ahead);
    // Finished: recorded, and the cursors are gone.
    expect(storeMeta(second.store, 'last_maintenance_at')).toBe(clock.now());
    expect(cursorRows(second.store)).toEqual([]);

    // The next run is a full pass: the row damaged behind the old cursor is found now.
    clock.advance(DAY + 1);
    runToEnd(second.store, clock);
    expect(second.warnings[1]!.message).toContain(`id=${behind}`);
    expect(trailIds(second.store)).not.toContain(behind);
    expect(cursorRows(second.store)).toEqual([]);
  });

  it('is forgotten when a run fails, so the next run searches the whole file', () => {
    const clock = new ManualClock();
    const { store: seeding } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(
      seeding,
      { jobId: 'recent', start: clock.now() - 30 * 60_000, trailRows: 1_400, outcome: 'completed' },
      { jobId: 'old', start: clock.now() - 40 * DAY, trailRows: 2, outcome: 'completed' },
    );
    closeTestProgressStore(seeding);
    // The archive folder's name is taken by a file: archiving the old sync fails.
    fs.writeFileSync(seeding.retention.archiveDir, 'in the way');

    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const slice = sliceOf(store);
    slice();
    expect(storeMeta(store, CURSOR)).toBeGreaterThan(0);
    for (let slices = 0; warnings.length === 0; slices++) {
      if (slices > 10_000) throw new Error('the run never failed');
      slice();
    }
    expect(warnings).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^background maintenance failed/) }),
    ]);
    expect(cursorRows(store)).toEqual([]);
    expect(storeMeta(store, 'last_maintenance_at')).toBeUndefined();
  });

  it('is kept when a slice meets another process holding the lock: the run begun again goes on from it', () => {
    const clock = new ManualClock();
    const { store: seeding } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    seed(seeding, {
      jobId: 'recent',
      start: clock.now() - 30 * 60_000,
      trailRows: 1_400,
      outcome: 'completed',
    });
    const ids = trailIds(seeding);
    closeTestProgressStore(seeding);

    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const slice = sliceOf(store);
    slice();
    expect(storeMeta(store, CURSOR)).toBe(ids[499]);
    damage(store.path, ids[10]!);
    const other = new BetterSqlite3(store.path);
    try {
      other.exec('BEGIN IMMEDIATE');
      expect(slice()).toBe(1_000); // dropped: tried again a second later
      other.exec('COMMIT');
    } finally {
      other.close();
    }
    expect(storeMeta(store, CURSOR)).toBe(ids[499]);
    runToEnd(store, clock);
    // Begun again from the cursor: the row damaged behind it waits for the next full pass.
    expect(warnings).toEqual([]);
    expect(trailIds(store)).toContain(ids[10]);
    expect(cursorRows(store)).toEqual([]);
  });
});
