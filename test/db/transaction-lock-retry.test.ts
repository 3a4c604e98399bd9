import { runInTransaction } from '../../src/db/transaction';
import { DatabaseLockedError } from '../../src/errors';
import { childScript, startChild } from '../support/child-process';
import { closeTestStore, openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/**
 * Another CIDX process may hold the write lock (BEGIN IMMEDIATE) while this one wants to
 * write. The store waits with backoff and succeeds once the lock is released, or fails
 * with a typed error after its bound. The other process is real, so the lock is a real
 * file lock and not something this process could cheat on.
 */
describe('runInTransaction while another process holds the write lock', () => {
  const tmp = useTempDir();

  async function lockHeldByChild(dbPath: string, holdMs: number, marker: number) {
    const child = startChild(childScript('hold-write-lock.js'), [
      dbPath,
      String(holdMs),
      'immediate',
      String(marker),
    ]);
    await child.waitForLine('locked');
    return child;
  }

  it('waits, then succeeds after the other process commits (and sees its commit)', async () => {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    // A tiny busy timeout, so the waiting is the retry loop's and not SQLite's alone.
    const { sqlite } = openTestStore(dbPath, { busyTimeoutMs: 10 });
    // Held for 800 ms: long enough that even a slow hand-over of the "locked" line leaves
    // the parent plenty of lock to wait for.
    const child = await lockHeldByChild(dbPath, 800, 777);

    const started = performance.now();
    const seen = runInTransaction(
      sqlite,
      () => {
        const row = sqlite.prepare("SELECT value FROM store_meta WHERE key = 'last_vacuum_at'").get() as {
          value: number;
        };
        sqlite
          .prepare("INSERT INTO store_meta (key, value) VALUES ('last_maintenance_at', ?)")
          .run(row.value + 1);
        return row.value;
      },
      { lockTimeoutMs: 10_000 },
    );
    const waited = performance.now() - started;

    // It ran after the child's commit (it read the child's value), having really waited.
    expect(seen).toBe(777);
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(await child.exited).toMatchObject({ code: 0 });
    expect(child.stdout).toContain('committed');
    expect(sqlite.prepare("SELECT value FROM store_meta WHERE key = 'last_maintenance_at'").get()).toEqual({
      value: 778,
    });
  });

  it('fails with DatabaseLockedError (code LOCKED) when the lock outlasts lockTimeoutMs, writing nothing', async () => {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    const { sqlite } = openTestStore(dbPath, { busyTimeoutMs: 10 });
    await lockHeldByChild(dbPath, 10_000, 1);
    const work = jest.fn(() => {
      sqlite.prepare("INSERT INTO store_meta (key, value) VALUES ('last_maintenance_at', 1)").run();
    });

    const started = performance.now();
    let thrown: unknown;
    try {
      runInTransaction(sqlite, work, { lockTimeoutMs: 300, name: 'save progress' });
    } catch (error) {
      thrown = error;
    }
    const waited = performance.now() - started;

    expect(thrown).toBeInstanceOf(DatabaseLockedError);
    expect(thrown).toMatchObject({
      code: 'LOCKED',
      cause: expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }),
    });
    expect((thrown as Error).message).toMatch(/^save progress: .*locked by another process for 300 ms/);
    // It gave up around its bound: not at once, and not after the other process let go.
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(3000);
    expect(work).not.toHaveBeenCalled();
    expect(sqlite.inTransaction).toBe(false);
  });
});
