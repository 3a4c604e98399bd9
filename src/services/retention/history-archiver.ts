import { ConflictError } from '../../errors';
import type { SyncHistoryRow } from '../../schema';
import { groupByMonth, oldestKeptMonth } from './archive';
import {
  discardBatch,
  isRecorded,
  type PendingBatch,
  publishBatch,
  recordBatch,
  writePendingBatch,
} from './archive-batch';
import { checkMonth } from './archive-upkeep';
import { dropCheckpointTallied } from './checkpoint-expiry';
import type { MaintenanceRun, MaintenanceSteps } from './maintenance-run';

export interface ArchiveOptions {
  /** Stop before the next batch once this says so (the size budget is met). */
  until?: () => boolean;
  /** Syncs per batch; smaller under budget pressure, so little more than needed goes. */
  pageSize?: number;
}

interface Candidate {
  row: SyncHistoryRow;
  bytes: number;
}

/**
 * Archive and remove finished syncs whose last activity is before `cutoff`, oldest first
 * (by insertion sequence), never a running or resumable one. Per batch: settle (a
 * leftover checkpoint goes, a `running` row with its owner gone becomes interrupted),
 * write the rows to new pending archive files, delete their trails in bounded
 * transactions, then delete the rows and record the files in one transaction, and make
 * the files archive (archive-batch.ts). A crash at any point leaves each row in the
 * database or in one archive file. Age is measured as resume measures it (quietSince).
 * Returns the number of syncs removed.
 */
export function* archiveSyncs(
  run: MaintenanceRun,
  cutoff: number,
  options: ArchiveOptions = {},
): MaintenanceSteps<number> {
  let afterId = 0;
  let removed = 0;
  for (;;) {
    if (options.until?.()) break;
    const from = afterId;
    const pageSize = Math.min(options.pageSize ?? run.policy.batchRows, run.batchSize('syncs'));
    const page: Candidate[] = run.read('list old syncs', () =>
      run.repos.syncHistory.listInactiveBefore(cutoff, from, pageSize),
    );
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.row.id;
    const finished = run.read('classify old syncs', () =>
      page.filter(
        ({ row }) =>
          !run.handled.syncs.has(row.jobId) &&
          run.quietSince(row, cutoff) &&
          run.standing(row) === 'finished',
      ),
    );
    for (const { row } of finished) run.handled.syncs.add(row.jobId);
    yield;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty batch archives and deletes nothing; skipping it only saves an empty transaction
    if (finished.length > 0)
      removed += run.dryRun ? yield* tallyDryRun(run, finished) : yield* archiveBatch(run, finished);
  }
  return removed;
}

function* archiveBatch(run: MaintenanceRun, batch: Candidate[]): MaintenanceSteps<number> {
  const { repos } = run;
  const jobIds = batch.map(({ row }) => row.jobId);
  // Rarely needed (the 7-day pass has usually removed their checkpoints): one transaction
  // per sync, since a checkpoint may carry a large file log.
  for (const { row } of batch) {
    // Stryker disable next-line ConditionalExpression: settling a finished sync without a checkpoint changes nothing; the shortcut saves its transaction
    if (row.status !== 'running' && repos.checkpoints.findByJobIdRaw(row.jobId) === null) continue;
    run.write('settle sync before archiving', () =>
      dropCheckpointTallied(run, row.jobId, repos.syncHistory.findByJobId(row.jobId)),
    );
    yield;
  }
  const rows = repos.syncHistory.listByJobIds(jobIds);
  // Trails first, so that nothing yields to another slice between writing the pending
  // batch files and the transaction that records them with the rows' deletion.
  yield* removeTrails(run, jobIds);
  const written = writeArchive(run, rows);
  let deleted = 0;
  try {
    deleted = run.write(
      'archive and delete syncs',
      () => {
        // Only rows still there and unchanged since they were written: a row another
        // process archived or changed meanwhile must not be deleted (or archived twice).
        const current = repos.syncHistory.listByJobIds(jobIds);
        if (JSON.stringify(current) !== JSON.stringify(rows))
          throw new StaleBatchError('rows changed while being archived');
        repos.syncFigures.deleteFor(jobIds);
        const removed = repos.syncHistory.deleteFinished(jobIds);
        if (removed !== rows.length) throw new StaleBatchError('rows changed while being archived');
        for (const pending of written) recordBatch(repos.storeMeta, pending);
        return removed;
      },
      { kind: 'syncs', units: jobIds.length },
    );
  } catch (error) {
    const committed =
      written.length > 0 && run.read('check archive batch', () => isRecorded(repos.storeMeta, written[0]!));
    if (!committed) {
      for (const pending of written) discardBatch(pending);
      if (error instanceof StaleBatchError) return 0;
      throw error;
    }
    // It committed, so every row went: the transaction checks the count before it records.
    deleted = rows.length;
  }
  for (const pending of written) publishBatch(pending.pendingFile);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: settling no batch changes nothing; skipping it only saves an empty transaction
  if (written.length > 0)
    run.write('settle archive batch', () =>
      written.forEach((pending) => repos.storeMeta.remove(pending.record)),
    );
  for (const pending of written) {
    run.archive.filesWritten.add(pending.finalFile);
    run.archive.rows += pending.rows;
    run.archive.bytesWritten += pending.bytes;
  }
  const bytes = batch.reduce((sum, c) => sum + c.bytes, 0);
  // The share of the batch's bytes that went (all of them, unless rows vanished meanwhile).
  run.tally('syncHistory', deleted, Math.round((bytes * deleted) / batch.length));
  return deleted;
}

/** The rows of a batch changed or went between writing their file and deleting them. */
class StaleBatchError extends ConflictError {}

/**
 * Write the rows to new pending batch files, one per month (step 1 of archive-batch.ts).
 * Rows whose month is already past the archive window are removed without being written.
 * A dry run writes nothing and only counts.
 */
function writeArchive(run: MaintenanceRun, rows: SyncHistoryRow[]): PendingBatch[] {
  const oldest = oldestKeptMonth(run.now, run.policy.archiveMonths);
  const written: PendingBatch[] = [];
  try {
    for (const [month, group] of groupByMonth(rows)) {
      if (month < oldest) continue;
      if (run.dryRun) {
        run.archive.rows += group.length;
        continue;
      }
      checkMonth(run, month);
      written.push(writePendingBatch(run.archiveDir, month, group));
    }
  } catch (error) {
    for (const pending of written) discardBatch(pending);
    throw error;
  }
  return written;
}

/** Delete the whole trails of these syncs, a batch of rows per transaction (sized to the lock time). */
export function* removeTrails(run: MaintenanceRun, jobs: string[]): MaintenanceSteps<number> {
  const { repos } = run;
  const jobIds = jobs.filter((jobId) => !run.handled.trails.has(jobId));
  for (const jobId of jobIds) run.handled.trails.add(jobId);
  if (run.dryRun) {
    const totals = repos.progressUpdates.totalsForJobs(jobIds);
    // What compaction already counted is not there to remove a second time.
    const compacted = jobIds.map((jobId) => run.compacted.get(jobId) ?? { rows: 0, bytes: 0 });
    const rows = totals.rows - compacted.reduce((sum, c) => sum + c.rows, 0);
    run.tally('progressRemoved', rows, totals.bytes - compacted.reduce((sum, c) => sum + c.bytes, 0));
    return rows;
  }
  let removed = 0;
  for (;;) {
    // Listing is a read (it blocks nobody); only the deletes take the write lock.
    const listed = repos.progressUpdates.listForJobs(jobIds, run.batchSize('rows') * 4);
    // Stryker disable next-line ConditionalExpression: with nothing listed the loop below deletes nothing and the next line returns the same
    if (listed.length === 0) return removed;
    // Stryker disable next-line BooleanLiteral: differs only when listed rows are all gone before their delete (another process), which loops again
    let deletedAny = false;
    for (let i = 0; i < listed.length;) {
      // Stryker disable next-line MethodExpression: the whole listing as one batch deletes the same rows in one transaction up to 4x the sized one; lock time is measured by the benchmark, not by a test
      const batch = listed.slice(i, i + run.batchSize('rows'));
      i += batch.length;
      const deleted = run.write(
        'delete trails',
        () => repos.progressUpdates.deleteByIds(batch.map((r) => r.id)),
        { kind: 'rows', units: batch.length },
      );
      run.tally(
        'progressRemoved',
        deleted,
        batch.reduce((sum, r) => sum + r.bytes, 0),
      );
      removed += deleted;
      deletedAny ||= deleted > 0;
      yield;
    }
    if (!deletedAny) return removed;
  }
}

function* tallyDryRun(run: MaintenanceRun, batch: Candidate[]): MaintenanceSteps<number> {
  const { repos } = run;
  for (const { row } of batch) {
    // Dropped (and its interruption counted) by the 7-day pass already, in this dry run.
    const counted = run.handled.checkpoints.has(row.jobId);
    const checkpoint = counted ? null : repos.checkpoints.findExpiring(row.jobId);
    if (checkpoint) {
      run.handled.checkpoints.add(row.jobId);
      run.tally('checkpoints', 1, checkpoint.bytes);
      if (checkpoint.lineageCheckpoints === 1)
        run.tally('checkpointFiles', checkpoint.lineageRows, checkpoint.lineageBytes);
    }
    if (row.status === 'running' && !counted) run.syncsInterrupted += 1;
  }
  writeArchive(
    run,
    batch.map(({ row }) => row),
  );
  yield* removeTrails(
    run,
    batch.map(({ row }) => row.jobId),
  );
  run.tally(
    'syncHistory',
    batch.length,
    batch.reduce((sum, c) => sum + c.bytes, 0),
  );
  return batch.length;
}
