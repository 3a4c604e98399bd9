import { assertInTransaction, runInTransaction, TransactionRequiredError } from '../../src/db/transaction';
import { ProgressStoreError } from '../../src/errors';
import { dropCheckpoint } from '../../src/services/drop-checkpoint';
import { StoreFileRepository } from '../../src/repositories/store-file.repository';
import { openTestProgressStore, repoPaths, rows, storeInternals } from '../support/progress-store';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/**
 * "Must run inside a transaction" as a check, not a comment: a helper whose reads and
 * deletes are only right together refuses to run outside a unit of work.
 */
describe('assertInTransaction', () => {
  const tmp = useTempDir();

  it('throws TransactionRequiredError, naming the operation, outside a transaction, and passes inside one', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    let thrown: unknown;
    try {
      assertInTransaction(sqlite, 'dropping a checkpoint');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransactionRequiredError);
    expect((thrown as Error).name).toBe('TransactionRequiredError');
    // A programming error in the package, not a condition a caller handles by its code.
    expect(thrown).not.toBeInstanceOf(ProgressStoreError);
    expect((thrown as Error).message).toBe(
      'dropping a checkpoint must run inside a unit of work (a write transaction), and none is open',
    );
    expect(() =>
      runInTransaction(sqlite, () => assertInTransaction(sqlite, 'dropping a checkpoint')),
    ).not.toThrow();
  });
});

describe('dropCheckpoint', () => {
  const tmp = useTempDir();

  const failedSync = () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({
      jobId: 'job-1',
      gitCommit: 'a'.repeat(40),
      files: repoPaths(3),
    });
    sync.fail('Network timeout');
    return { store, context: storeInternals(store) };
  };

  it('throws outside a unit of work and removes nothing', () => {
    const { store, context } = failedSync();
    expect(() => dropCheckpoint(context.repos, 'job-1')).toThrow(TransactionRequiredError);
    expect(rows(store, 'SELECT job_id FROM checkpoints')).toEqual([{ job_id: 'job-1' }]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoint_files')).toEqual([{ n: 1 }]);
  });

  it('inside context.write removes the checkpoint and the file log nothing else builds on', () => {
    const { store, context } = failedSync();
    context.write('drop', () => dropCheckpoint(context.repos, 'job-1'));
    expect(rows(store, 'SELECT job_id FROM checkpoints')).toEqual([]);
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoint_files')).toEqual([{ n: 0 }]);
  });
});

describe('incrementalVacuum', () => {
  const tmp = useTempDir();

  it('throws outside a write transaction, and runs inside one', () => {
    const connection = openTestStore(tmp.join('p.db'));
    const storeFile = new StoreFileRepository(connection);
    expect(() => storeFile.incrementalVacuum(1)).toThrow(TransactionRequiredError);
    expect(() => runInTransaction(connection, () => storeFile.incrementalVacuum(1))).not.toThrow();
  });
});
