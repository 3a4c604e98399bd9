import Database from 'better-sqlite3';
import { runInTransaction } from '../../src/db/transaction';
import { ConflictError, StorageError } from '../../src/errors';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('runInTransaction', () => {
  const tmp = useTempDir();

  const setup = () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const put = sqlite.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)');
    const keys = () =>
      (sqlite.prepare('SELECT key FROM store_meta ORDER BY key').all() as { key: string }[]).map(
        (r) => r.key,
      );
    return { sqlite, put, keys };
  };

  it('commits the work and returns its result', () => {
    const { sqlite, put, keys } = setup();
    const result = runInTransaction(sqlite, () => {
      put.run('a', 1);
      put.run('b', 2);
      return 'done';
    });
    expect(result).toBe('done');
    expect(keys()).toEqual(['a', 'b']);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('makes the commit visible to another connection (it really committed)', () => {
    const { sqlite, put } = setup();
    runInTransaction(sqlite, () => put.run('a', 1));
    const other = new Database(tmp.join('p.db'), { readonly: true });
    try {
      expect(other.prepare('SELECT value FROM store_meta WHERE key = ?').get('a')).toEqual({ value: 1 });
    } finally {
      other.close();
    }
  });

  it('rolls everything back when the work throws, reporting the error as the cause', () => {
    const { sqlite, put, keys } = setup();
    const boom = new Error('boom');
    expect(() =>
      runInTransaction(sqlite, () => {
        put.run('a', 1);
        throw boom;
      }),
    ).toThrow(expect.objectContaining({ code: 'STORAGE', cause: boom }));
    expect(keys()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('lets the package’s own typed errors through unchanged', () => {
    const { sqlite, put, keys } = setup();
    const conflict = new ConflictError('claimed by another process');
    let thrown: unknown;
    try {
      runInTransaction(sqlite, () => {
        put.run('a', 1);
        throw conflict;
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(conflict);
    expect(keys()).toEqual([]);
  });

  it('turns a driver error inside the work into a typed error and rolls back', () => {
    const { sqlite, put, keys } = setup();
    expect(() =>
      runInTransaction(
        sqlite,
        () => {
          put.run('a', 1);
          put.run('a', 2); // primary key violation
        },
        { name: 'save meta' },
      ),
    ).toThrow(StorageError);
    expect(() => runInTransaction(sqlite, () => put.run('a', 2), { name: 'save meta' })).not.toThrow();
    expect(keys()).toEqual(['a']);
  });

  it('names the unit of work in the error message', () => {
    const { sqlite } = setup();
    expect(() =>
      runInTransaction(
        sqlite,
        () => {
          throw new Error('disk on fire');
        },
        { name: 'save checkpoint' },
      ),
    ).toThrow('save checkpoint: disk on fire');
    expect(() =>
      runInTransaction(sqlite, () => {
        throw new Error('disk on fire');
      }),
    ).toThrow('transaction: disk on fire'); // unnamed
  });

  it('joins an outer transaction: the inner work commits or rolls back with the outer one', () => {
    const { sqlite, put, keys } = setup();
    expect(() =>
      runInTransaction(sqlite, () => {
        put.run('outer', 1);
        runInTransaction(sqlite, () => put.run('inner', 2));
        expect(sqlite.inTransaction).toBe(true); // the inner call did not commit
        throw new Error('outer fails after the inner work');
      }),
    ).toThrow('outer fails after the inner work');
    expect(keys()).toEqual([]);

    runInTransaction(sqlite, () => {
      put.run('outer', 1);
      runInTransaction(sqlite, () => put.run('inner', 2));
    });
    expect(keys()).toEqual(['inner', 'outer']);
  });

  it('takes the write lock at BEGIN by default (immediate), and not with behavior "deferred"', () => {
    const { sqlite } = setup();
    const other = new Database(tmp.join('p.db'), { timeout: 0 });
    try {
      // While an immediate transaction is open, no one else can begin a write.
      runInTransaction(sqlite, () => {
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      });
      // A deferred one that only reads leaves the lock free.
      runInTransaction(
        sqlite,
        () => {
          sqlite.prepare('SELECT count(*) FROM store_meta').get();
          other.exec('BEGIN IMMEDIATE');
          other.exec('ROLLBACK');
        },
        { behavior: 'deferred' },
      );
    } finally {
      other.close();
    }
  });

  it('refuses an async callback at run time, and keeps none of its synchronous part', () => {
    const { sqlite, put, keys } = setup();
    const asyncWork = async () => {
      put.run('before-await', 1);
    };
    // The cast stands in for code that got past the type check (see the test below).
    expect(() => runInTransaction(sqlite, asyncWork as unknown as () => void)).toThrow(
      /cannot return a promise/,
    );
    expect(keys()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('makes an async callback a type error (checked by tsc --noEmit, which covers test/)', () => {
    const { sqlite } = setup();
    // Never called: only the type check matters here. If NotPromise stopped rejecting
    // promises, this @ts-expect-error would be unused and `npm run typecheck` would fail.
    const typeCheckOnly = () =>
      // @ts-expect-error an async unit of work would commit its awaited part outside the transaction
      runInTransaction(sqlite, async () => 1);
    expect(typeof typeCheckOnly).toBe('function');
    // A synchronous callback's result type is kept.
    const value: number = runInTransaction(sqlite, () => 42);
    expect(value).toBe(42);
  });
});
