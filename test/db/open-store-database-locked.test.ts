import { DatabaseLockedError } from '../../src/errors';
import { childScript, startChild } from '../support/child-process';
import { closeTestStore, openTestStore } from '../support/store';
import { listDir, useTempDir } from '../support/temp-dir';

/**
 * A file another process has locked is busy, not damaged: opening it must fail with
 * DatabaseLockedError after the bound, and must never move it aside (which would throw
 * away a live sync's progress).
 */
describe('openStoreDatabase on a file locked by another process', () => {
  const tmp = useTempDir();

  it.each([
    ['holds the write lock (BEGIN IMMEDIATE)', 'immediate', 'apply migrations'],
    ['holds an exclusive lock that blocks even reads', 'exclusive', 'open database'],
  ])('when the other process %s: LOCKED, not quarantined, no warning', async (_what, mode, step) => {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    const child = startChild(childScript('hold-write-lock.js'), [dbPath, '10000', mode]);
    await child.waitForLine('locked');
    const before = listDir(tmp.path);
    const warn = jest.fn();

    let thrown: unknown;
    try {
      openTestStore(dbPath, { warn, lockTimeoutMs: 300, busyTimeoutMs: 10 });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(DatabaseLockedError);
    expect(thrown).toMatchObject({
      code: 'LOCKED',
      message: `${step}: the database stayed locked by another process for 300 ms`,
    });
    expect(warn).not.toHaveBeenCalled();
    expect(listDir(tmp.path)).toEqual(before);
    expect(listDir(tmp.path).some((name) => name.includes('.corrupt-'))).toBe(false);
  });

  it('opens normally once the other process lets go', async () => {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    const child = startChild(childScript('hold-write-lock.js'), [dbPath, '200', 'exclusive']);
    await child.waitForLine('locked');

    const connection = openTestStore(dbPath, { lockTimeoutMs: 10_000, busyTimeoutMs: 10 });
    expect(connection.sqlite.pragma('quick_check', { simple: true })).toBe('ok');
    expect(await child.exited).toMatchObject({ code: 0 });
  });
});
