import type { Connection } from '../db/connection';
import { assertInTransaction } from '../db/transaction';
import { CheckpointFilesRepository } from './checkpoint-files.repository';
import { CheckpointsRepository } from './checkpoints.repository';
import { ProgressUpdatesRepository } from './progress-updates.repository';
import { StoreFileRepository } from './store-file.repository';
import { StoreMetaRepository } from './store-meta.repository';
import { StoredRowsRepository } from './stored-rows.repository';
import { SyncFiguresRepository } from './sync-figures.repository';
import { SyncHistoryRepository } from './sync-history.repository';
import { SyncStatsRepository } from './sync-stats.repository';

export interface Repositories {
  syncHistory: SyncHistoryRepository;
  progressUpdates: ProgressUpdatesRepository;
  checkpoints: CheckpointsRepository;
  checkpointFiles: CheckpointFilesRepository;
  storeMeta: StoreMetaRepository;
  /** The file below the rows: pages, vacuum, WAL merges, read-only inspection. */
  storeFile: StoreFileRepository;
  /** Rows as stored, by rowid: finding and removing damaged rows. */
  storedRows: StoredRowsRepository;
  /** Read-side aggregates over the history, for the metrics service. */
  syncStats: SyncStatsRepository;
  /** The figures of each completed sync, written as it completes, read by the report. */
  syncFigures: SyncFiguresRepository;
  /** For helpers that hold only the repositories and whose reads and writes are only right together. */
  unitOfWork: { assertOpen(operation: string): void };
}

/** One set per connection: the prepared statements inside belong to that connection. */
export function createRepositories(connection: Connection): Repositories {
  return {
    syncHistory: new SyncHistoryRepository(connection),
    progressUpdates: new ProgressUpdatesRepository(connection),
    checkpoints: new CheckpointsRepository(connection),
    checkpointFiles: new CheckpointFilesRepository(connection),
    storeMeta: new StoreMetaRepository(connection),
    storeFile: new StoreFileRepository(connection),
    storedRows: new StoredRowsRepository(connection),
    syncStats: new SyncStatsRepository(connection),
    syncFigures: new SyncFiguresRepository(connection),
    unitOfWork: { assertOpen: (operation) => assertInTransaction(connection.sqlite, operation) },
  };
}

export {
  CheckpointFilesRepository,
  CheckpointsRepository,
  ProgressUpdatesRepository,
  StoreFileRepository,
  StoreMetaRepository,
  StoredRowsRepository,
  SyncFiguresRepository,
  SyncHistoryRepository,
  SyncStatsRepository,
};
