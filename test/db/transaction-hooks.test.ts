import Database from 'better-sqlite3';
import { onCommit, onRollback, runInTransaction, TransactionRequiredError } from '../../src/db/transaction';
import { childScript, startChild } from '../support/child-process';
import { openTestProgressStore, storeInternals } from '../support/progress-store';
import { closeTestStore, openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/**
 * After-commit and after-rollback hooks of a unit of work: what in-memory state must
 * follow the database (a ledger marked saved, a recorder forgotten) is changed only once
 * the transaction's fate is known, never inside it.
 */
describe('onCommit / onRollback', () => {
  const tmp = useTempDir();

  const setup = () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const put = sqlite.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)');
    // What another connection sees: the hooks must run when the outcome is final on disk.
    const committedKeys = () => {
      const other = new Database(tmp.join('p.db'), { readonly: true });
      try {
        return (other.prepare('SELECT key FROM store_meta ORDER BY key').all() as { key: string }[]).map(
          (r) => r.key,
        );
      } finally {
        other.close();
      }
    };
    return { sqlite, put, committedKeys };
  };

  it('runs commit hooks after the commit, in the order registered, and never the rollback hooks', () => {
    const { sqlite, put, committedKeys } = setup();
    const seen: string[] = [];
    const result = runInTransaction(sqlite, () => {
      put.run('a', 1);
      onCommit(sqlite, () =>
        seen.push(`first, in transaction: ${sqlite.inTransaction}, on disk: ${committedKeys().join()}`),
      );
      onCommit(sqlite, () => seen.push('second'));
      onRollback(sqlite, () => seen.push('rollback'));
      expect(seen).toEqual([]); // nothing runs inside the transaction
      return 'done';
    });
    expect(result).toBe('done');
    expect(seen).toEqual(['first, in transaction: false, on disk: a', 'second']);
  });

  it('runs rollback hooks after the rollback, newest first, never the commit hooks, and throws the work’s error', () => {
    const { sqlite, put, committedKeys } = setup();
    const seen: string[] = [];
    const boom = new Error('boom');
    expect(() =>
      runInTransaction(sqlite, () => {
        put.run('a', 1);
        onCommit(sqlite, () => seen.push('commit'));
        onRollback(sqlite, () =>
          seen.push(
            `undo first, in transaction: ${sqlite.inTransaction}, on disk: [${committedKeys().join()}]`,
          ),
        );
        onRollback(sqlite, () => seen.push('undo second'));
        throw boom;
      }),
    ).toThrow(expect.objectContaining({ cause: boom }));
    expect(seen).toEqual(['undo second', 'undo first, in transaction: false, on disk: []']);
  });

  it('fires the hooks of a nested unit of work with the outer transaction, not when the inner work returns', () => {
    const { sqlite, put } = setup();
    const seen: string[] = [];
    runInTransaction(sqlite, () => {
      runInTransaction(sqlite, () => {
        put.run('inner', 1);
        onCommit(sqlite, () => seen.push('inner committed'));
      });
      expect(seen).toEqual([]);
      onCommit(sqlite, () => seen.push('outer committed'));
    });
    expect(seen).toEqual(['inner committed', 'outer committed']);

    seen.length = 0;
    expect(() =>
      runInTransaction(sqlite, () => {
        runInTransaction(sqlite, () => {
          put.run('inner-2', 1);
          onCommit(sqlite, () => seen.push('inner committed'));
          onRollback(sqlite, () => seen.push('inner rolled back'));
        });
        throw new Error('the outer work fails after the inner one succeeded');
      }),
    ).toThrow('the outer work fails after the inner one succeeded');
    expect(seen).toEqual(['inner rolled back']);
  });

  it('keeps the hooks of one transaction out of the next', () => {
    const { sqlite, put } = setup();
    const seen: string[] = [];
    runInTransaction(sqlite, () => onCommit(sqlite, () => seen.push('first')));
    runInTransaction(sqlite, () => put.run('a', 1));
    expect(() =>
      runInTransaction(sqlite, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(seen).toEqual(['first']);
  });

  it('runs every commit hook even when one throws, then throws the first hook error; the work stays committed', () => {
    const { sqlite, put, committedKeys } = setup();
    const seen: string[] = [];
    const hookError = new Error('a commit hook failed');
    let thrown: unknown;
    try {
      runInTransaction(sqlite, () => {
        put.run('a', 1);
        onCommit(sqlite, () => {
          throw hookError;
        });
        onCommit(sqlite, () => {
          seen.push('second ran');
          throw new Error('a later failure');
        });
      });
    } catch (error) {
      thrown = error;
    }
    // Thrown as it is (not a storage error: the storage did its part).
    expect(thrown).toBe(hookError);
    expect(seen).toEqual(['second ran']);
    expect(committedKeys()).toEqual(['a']);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('runs every rollback hook even when one throws, keeps the work’s error for the caller and reports the hook’s', () => {
    const { sqlite } = setup();
    const seen: string[] = [];
    const reported: unknown[] = [];
    const hookError = new Error('an undo failed');
    const workError = new Error('the work failed');
    expect(() =>
      runInTransaction(
        sqlite,
        () => {
          onRollback(sqlite, () => seen.push('older undo ran'));
          onRollback(sqlite, () => {
            throw hookError;
          });
          throw workError;
        },
        { onHookError: (error) => reported.push(error) },
      ),
    ).toThrow(expect.objectContaining({ cause: workError }));
    expect(seen).toEqual(['older undo ran']);
    expect(reported).toEqual([hookError]);
  });

  it('refuses a hook registered outside a unit of work (it would never run)', () => {
    const { sqlite } = setup();
    expect(() => onCommit(sqlite, () => {})).toThrow(TransactionRequiredError);
    expect(() => onCommit(sqlite, () => {})).toThrow(/^onCommit must run inside a unit of work/);
    expect(() => onRollback(sqlite, () => {})).toThrow(/^onRollback must run inside a unit of work/);
    // A transaction opened by hand, not by runInTransaction, has no one to run the hooks either.
    sqlite.exec('BEGIN');
    try {
      expect(() => onCommit(sqlite, () => {})).toThrow(TransactionRequiredError);
    } finally {
      sqlite.exec('ROLLBACK');
    }
  });

  it('runs the rollback hooks of a try that lost the lock race, and the commit hooks of the try that committed, once', async () => {
    const dbPath = tmp.join('p.db');
    closeTestStore(openTestStore(dbPath));
    const { sqlite } = openTestStore(dbPath, { busyTimeoutMs: 10 });
    // Another process holds the write lock: a deferred unit of work that reads first and
    // then writes fails at its write (SQLITE_BUSY) and is tried again from the start.
    const child = startChild(childScript('hold-write-lock.js'), [dbPath, '400', 'immediate', '5']);
    await child.waitForLine('locked');
    const seen: string[] = [];
    let tries = 0;
    runInTransaction(
      sqlite,
      () => {
        const attempt = ++tries;
        sqlite.prepare('SELECT count(*) FROM store_meta').get();
        onRollback(sqlite, () => seen.push(`rolled back ${attempt}`));
        onCommit(sqlite, () => seen.push(`committed ${attempt}`));
        sqlite.prepare("INSERT INTO store_meta (key, value) VALUES ('last_maintenance_at', 1)").run();
      },
      { behavior: 'deferred', lockTimeoutMs: 10_000 },
    );
    await child.exited;
    expect(tries).toBeGreaterThan(1);
    expect(seen).toEqual([
      ...Array.from({ length: tries - 1 }, (_, i) => `rolled back ${i + 1}`),
      `committed ${tries}`,
    ]);
  });

  it('are offered by the store’s write helper, which reports an undo that threw as a warning', () => {
    const { store, warnings } = openTestProgressStore(tmp.path);
    const context = storeInternals(store);
    const seen: string[] = [];
    context.write('outer', () => {
      context.write('inner', () => context.onCommit(() => seen.push('inner committed')));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['inner committed']);

    const workError = new Error('the work failed');
    expect(() =>
      context.write('failing write', () => {
        context.onRollback(() => {
          throw new Error('the undo failed too');
        });
        throw workError;
      }),
    ).toThrow(expect.objectContaining({ cause: workError }));
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'STORAGE',
        message: 'failing write: undoing after a rollback failed: the undo failed too',
      }),
    ]);
    expect(() => context.onCommit(() => {})).toThrow(TransactionRequiredError);
  });
});
