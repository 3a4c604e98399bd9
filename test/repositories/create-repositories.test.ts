import {
  CheckpointFilesRepository,
  CheckpointsRepository,
  createRepositories,
  ProgressUpdatesRepository,
  StoreMetaRepository,
  SyncHistoryRepository,
} from '../../src/repositories';
import { runInTransaction } from '../../src/db/transaction';
import { checkpointRow, progressRow, syncHistoryRow } from '../support/rows';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('createRepositories', () => {
  const tmp = useTempDir();

  it('gives one repository per table over the same connection', () => {
    const repos = createRepositories(openTestStore(tmp.join('p.db')));
    expect(repos.syncHistory).toBeInstanceOf(SyncHistoryRepository);
    expect(repos.progressUpdates).toBeInstanceOf(ProgressUpdatesRepository);
    expect(repos.checkpoints).toBeInstanceOf(CheckpointsRepository);
    expect(repos.checkpointFiles).toBeInstanceOf(CheckpointFilesRepository);
    expect(repos.storeMeta).toBeInstanceOf(StoreMetaRepository);
  });

  it('lets a unit of work over several repositories commit or roll back as one', () => {
    const connection = openTestStore(tmp.join('p.db'));
    const repos = createRepositories(connection);
    const writeAll = (jobId: string) => {
      repos.syncHistory.insert(syncHistoryRow({ jobId }));
      repos.progressUpdates.insert(progressRow({ jobId }));
      repos.checkpoints.upsert(checkpointRow({ jobId, lineageId: jobId }));
      repos.checkpointFiles.append(jobId, jobId, 0, { kind: 'planned', first: 0, paths: ['a.ts'] });
      repos.storeMeta.set('last_maintenance_at', 1);
    };

    expect(() =>
      runInTransaction(connection.sqlite, () => {
        writeAll('rolled-back');
        throw new Error('fail at the end');
      }),
    ).toThrow('fail at the end');
    expect(repos.syncHistory.findByJobId('rolled-back')).toBeNull();
    expect(repos.progressUpdates.listByJob('rolled-back')).toEqual([]);
    expect(repos.checkpoints.findByJobId('rolled-back')).toBeNull();
    expect(repos.checkpointFiles.list('rolled-back')).toEqual([]);
    expect(repos.storeMeta.get('last_maintenance_at')).toBeNull();

    runInTransaction(connection.sqlite, () => writeAll('kept'));
    expect(repos.syncHistory.findByJobId('kept')).not.toBeNull();
    expect(repos.progressUpdates.listByJob('kept')).toHaveLength(1);
    expect(repos.checkpoints.findByJobId('kept')).not.toBeNull();
    expect(repos.checkpointFiles.list('kept')).toHaveLength(1);
    expect(repos.storeMeta.get('last_maintenance_at')).toBe(1);
  });
});
