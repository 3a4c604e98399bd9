import { hostname } from 'node:os';
import { MaintenanceLease } from '../../../src/services/retention/maintenance-lease';
import { openTestProgressStore, rows, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, seed } from './retention-fixtures';

/** The maintenance lease, in one process: who holds it, when a run skips, when it is taken over. */
const tmp = useTempDir();

const leaseRows = (store: Parameters<typeof rows>[0]) =>
  rows<{ key: string; value: number }>(
    store,
    "SELECT key, value FROM store_meta WHERE key LIKE 'maintenance_lease%' ORDER BY key",
  );

function insertLease(store: Parameters<typeof rows>[0], owner: object, heartbeatAt: number): void {
  const BetterSqlite3 = require('better-sqlite3');
  const db = new BetterSqlite3(store.path);
  try {
    db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)').run(
      `maintenance_lease ${JSON.stringify(owner)}`,
      heartbeatAt,
    );
  } finally {
    db.close();
  }
}

describe('the maintenance lease', () => {
  it('makes a second run report that it did not run while another holds it, and leaves no row behind', () => {
    const first = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const second = openTestProgressStore(tmp.path, { autoMaintenance: false, lockTimeoutMs: 300 });
    seed(first.store, {
      jobId: 'old',
      start: first.clock.now() - 40 * DAY,
      trailRows: 2,
      outcome: 'completed',
    });
    const lease = new MaintenanceLease(storeInternals(first.store));
    expect(lease.acquire(0)).toBeNull();
    expect(leaseRows(first.store)).toHaveLength(2);

    const started = performance.now();
    const skipped = second.store.retention.runMaintenance();
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(skipped.skipped).toEqual({
      reason: 'busy',
      owner: {
        pid: process.pid,
        host: hostname(),
        bootId: expect.any(String),
        heartbeatAt: first.clock.now(),
      },
    });
    expect(skipped.removed.syncHistory.rows).toBe(0);
    expect(skipped.vacuum.reason).toMatch(/running in process/);

    lease.release();
    expect(leaseRows(first.store)).toEqual([]);
    const ran = second.store.retention.runMaintenance();
    expect(ran.skipped).toBeUndefined();
    expect(ran.removed.syncHistory.rows).toBe(1);
    expect(leaseRows(first.store)).toEqual([]);
  });

  it('is taken over from a dead process, another boot, a stale other host, or a row it cannot read', () => {
    const { store, clock } = openTestProgressStore(tmp.path, {
      autoMaintenance: false,
      staleAfterMs: 60_000,
    });
    insertLease(store, { pid: 4_194_999, host: hostname(), boot: null, token: 'dead' }, clock.now());
    insertLease(
      store,
      { pid: process.pid, host: hostname(), boot: 'another-boot', token: 'rebooted' },
      clock.now(),
    );
    insertLease(store, { pid: 1, host: 'elsewhere', boot: null, token: 'stale' }, clock.now() - 61_000);
    store['context'].connection.sqlite
      .prepare("INSERT INTO store_meta (key, value) VALUES ('maintenance_lease {broken', 1)")
      .run();
    const report = store.retention.runMaintenance();
    expect(report.skipped).toBeUndefined();
    expect(leaseRows(store)).toEqual([]);
  });

  it('is not taken from a live holder on another host, and a run that lost it stops', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false, lockTimeoutMs: 0 });
    insertLease(store, { pid: 1, host: 'elsewhere', boot: null, token: 'live' }, clock.now() - 1000);
    expect(store.retention.runMaintenance().skipped).toMatchObject({
      reason: 'busy',
      owner: { pid: 1, host: 'elsewhere', bootId: null },
    });

    const context = storeInternals(store);
    context.connection.sqlite.prepare('DELETE FROM store_meta').run();
    const lease = new MaintenanceLease(context);
    expect(lease.acquire(0)).toBeNull();
    clock.advance(20_000);
    context.write('renew', () => lease.confirm());
    expect(leaseRows(store).find((r) => !r.key.includes('_mono'))?.value).toBe(clock.now());
    context.connection.sqlite.prepare("DELETE FROM store_meta WHERE key LIKE 'maintenance_lease%'").run();
    expect(() => context.write('renew', () => lease.confirm())).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
    lease.release(); // no longer held: nothing to do
  });
});
