import { and, asc, desc, eq, gt, inArray, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type NewSyncHistoryRow, type SyncHistoryRow, syncHistory } from '../schema';
import { RESUMABLE_STATUSES, SYNC_STATUSES, type SyncStatus } from '../schema/sync-status';
import { phaseDurationsSchema } from '../validation/json-columns';
import {
  checkRow,
  readJsonRows,
  type RowCheck,
  trustedRow,
  validateSyncHistoryJson,
} from '../validation/rows';
import { inList, rawSelection, rowBytes } from './sql-helpers';
import { KEPT_ROWS_AT_ENDS, KEPT_ROWS_PER_PHASE } from './trail-rule';

export interface SyncProgressFields {
  currentPhase: string;
  overallProgress: number;
  filesProcessed: number;
  totalFiles: number;
  lastActivityAt: number;
  lastActivityMono: number;
}

export interface SyncOutcomeFields {
  status: SyncStatus;
  endTime: number;
  totalDuration: number;
  phaseDurations: Record<string, number>;
  currentPhase: string;
  overallProgress: number;
  filesProcessed: number;
  totalFiles: number;
  filesChanged: number | null;
  filesIndexed: number | null;
  bytesProcessed: number | null;
  errors: NonNullable<SyncHistoryRow['errors']> | null;
  peakMemoryBytes: number | null;
  meanCpuPercent: number | null;
}

/**
 * Queries over `sync_history`. Writes that belong to a running sync are conditional on
 * it still being `running`: they return false when the sync was taken over meanwhile.
 */
export class SyncHistoryRepository {
  private readonly touchProgress;
  private readonly touchHeartbeat;
  private readonly savePhaseDurations;
  private readonly selectByJobId;
  private readonly selectRecent;
  private readonly selectResumeCandidates;

  constructor(private readonly connection: Connection) {
    const { orm } = connection;
    const running = and(eq(syncHistory.jobId, sql.placeholder('jobId')), eq(syncHistory.status, 'running'));
    // Prepared once: these run on every progress write.
    this.touchProgress = orm
      .update(syncHistory)
      .set({
        currentPhase: sql`${sql.placeholder('currentPhase')}`,
        overallProgress: sql`${sql.placeholder('overallProgress')}`,
        filesProcessed: sql`${sql.placeholder('filesProcessed')}`,
        totalFiles: sql`${sql.placeholder('totalFiles')}`,
        lastActivityAt: sql`${sql.placeholder('lastActivityAt')}`,
        lastActivityMono: sql`${sql.placeholder('lastActivityMono')}`,
      })
      .where(running)
      .prepare();
    this.touchHeartbeat = orm
      .update(syncHistory)
      .set({
        lastActivityAt: sql`${sql.placeholder('lastActivityAt')}`,
        lastActivityMono: sql`${sql.placeholder('lastActivityMono')}`,
      })
      .where(running)
      .prepare();
    this.savePhaseDurations = orm
      .update(syncHistory)
      .set({ phaseDurations: sql`${sql.placeholder('phaseDurations')}` })
      .where(running)
      .prepare();
    // Prepared once: a resume and a new sync each look their row up two or three times.
    this.selectByJobId = this.selectRaw()
      .where(eq(syncHistory.jobId, sql.placeholder('jobId')))
      .prepare();
    // Prepared once too: every checkResumable() and every claim reads these (building the
    // query each time cost more than running it).
    this.selectRecent = this.selectRaw()
      .where(eq(syncHistory.projectId, sql.placeholder('projectId')))
      .orderBy(desc(syncHistory.id))
      .limit(sql.placeholder('limit'))
      .prepare();
    this.selectResumeCandidates = this.selectRaw()
      .where(
        and(
          eq(syncHistory.projectId, sql.placeholder('projectId')),
          inArray(syncHistory.status, [...RESUMABLE_STATUSES]),
        ),
      )
      .orderBy(desc(syncHistory.id))
      .limit(sql.placeholder('limit'))
      .prepare();
  }

  insert(row: NewSyncHistoryRow): void {
    validateSyncHistoryJson(row);
    this.connection.orm.insert(syncHistory).values(row).run();
  }

  /** The sync's row, checked; a damaged one throws DamagedRowError (code CORRUPT). */
  findByJobId(jobId: string): SyncHistoryRow | null {
    const raw = this.selectByJobId.get({ jobId });
    return raw ? trustedRow<SyncHistoryRow>('sync_history', raw) : null;
  }

  /** The sync's row, checked, with what is wrong with it when it is damaged. */
  inspectByJobId(jobId: string): RowCheck<SyncHistoryRow> | null {
    const raw = this.selectByJobId.get({ jobId });
    return raw ? checkRow<SyncHistoryRow>('sync_history', raw) : null;
  }

  /** The status column as stored, unchecked (for a message about a damaged row); null when there is no such sync. */
  storedStatus(jobId: string): unknown {
    return this.selectByJobId.get({ jobId })?.status ?? null;
  }

  /**
   * A damaged row is settled by a writer that gives it up (start fresh, resume): a status
   * outside the closed set reads as a sync nobody owns, so it is made one before the
   * usual transitions apply. Returns whether the row needed it.
   */
  settleUnknownStatus(jobId: string): boolean {
    return (
      this.connection.orm
        .update(syncHistory)
        .set({ status: 'running', ownerPid: null })
        .where(and(eq(syncHistory.jobId, jobId), notInArray(syncHistory.status, [...SYNC_STATUSES])))
        .run().changes === 1
    );
  }

  /** Returns false when the sync is no longer running (finished, or claimed by a resume). */
  updateProgress(jobId: string, fields: SyncProgressFields): boolean {
    return this.touchProgress.run({ jobId, ...fields }).changes === 1;
  }

  heartbeat(jobId: string, at: number, mono: number): boolean {
    return this.touchHeartbeat.run({ jobId, lastActivityAt: at, lastActivityMono: mono }).changes === 1;
  }

  /** Per-phase durations so far, kept with each checkpoint so a run that dies still has them. */
  recordPhaseDurations(jobId: string, durations: Record<string, number>): boolean {
    const phaseDurations = JSON.stringify(phaseDurationsSchema.parse(durations));
    return this.savePhaseDurations.run({ jobId, phaseDurations }).changes === 1;
  }

  /** Record how a running sync ended. Returns false when it was no longer running. */
  finish(jobId: string, outcome: SyncOutcomeFields): boolean {
    validateSyncHistoryJson(outcome);
    const result = this.connection.orm
      .update(syncHistory)
      .set({ ...outcome, lastActivityAt: outcome.endTime, ownerPid: null })
      .where(and(eq(syncHistory.jobId, jobId), eq(syncHistory.status, 'running')))
      .run();
    return result.changes === 1;
  }

  /** Drop ownership without ending the sync, so other processes see it as interrupted at once. */
  releaseOwner(jobId: string): void {
    this.connection.orm
      .update(syncHistory)
      .set({ ownerPid: null })
      .where(and(eq(syncHistory.jobId, jobId), eq(syncHistory.status, 'running')))
      .run();
  }

  /**
   * Move a sync from one of `from` to `to`. The condition is the exactly-once guarantee:
   * of several processes racing, only one sees `true`.
   */
  transition(
    jobId: string,
    from: readonly SyncStatus[],
    to: SyncStatus,
    fields: { endTime?: number; resumedByJobId?: string } = {},
  ): boolean {
    const result = this.connection.orm
      .update(syncHistory)
      .set({ status: to, ownerPid: null, ...fields })
      .where(and(eq(syncHistory.jobId, jobId), inArray(syncHistory.status, [...from])))
      .run();
    return result.changes === 1;
  }

  /**
   * The project's latest syncs of any status, newest first (by insertion sequence, not wall
   * time), each checked as the caller reaches it: a damaged one comes back described, not
   * thrown, and a caller that stops at the row that decides checks no more.
   */
  *listRecent(projectId: string, limit: number): Generator<RowCheck<SyncHistoryRow>> {
    for (const raw of this.selectRecent.all({ projectId, limit })) {
      yield checkRow<SyncHistoryRow>('sync_history', raw);
    }
  }

  /** Syncs that may be incomplete, newest first (by insertion sequence, not wall time), each checked. */
  inspectResumeCandidates(projectId: string, limit = 50): RowCheck<SyncHistoryRow>[] {
    return this.selectResumeCandidates
      .all({ projectId, limit })
      .map((raw) => checkRow<SyncHistoryRow>('sync_history', raw));
  }

  /** The trusted ones among inspectResumeCandidates (damaged rows are passed over). */
  listResumeCandidates(projectId: string, limit = 50): SyncHistoryRow[] {
    return this.inspectResumeCandidates(projectId, limit).flatMap((check) => (check.ok ? [check.row] : []));
  }

  // Retention (services/retention): selections page by id, oldest first, so a batch that
  // keeps some rows (a resumable sync) never stops the cursor.

  /** Syncs of any status whose last activity is before `cutoff`, with each row's payload bytes. */
  listInactiveBefore(
    cutoff: number,
    afterId: number,
    limit: number,
  ): Array<{ row: SyncHistoryRow; bytes: number }> {
    return readJsonRows('sync_history rows for retention', () =>
      this.connection.orm
        .select({ row: syncHistory, bytes: rowBytes(syncHistory) })
        .from(syncHistory)
        .where(and(lt(syncHistory.lastActivityAt, cutoff), gt(syncHistory.id, afterId)))
        .orderBy(asc(syncHistory.id))
        .limit(limit)
        .all(),
    );
  }

  /** The rows of these jobs as stored (no JSON re-validation), oldest first. */
  listByJobIds(jobIds: string[]): SyncHistoryRow[] {
    if (jobIds.length === 0) return [];
    return readJsonRows('sync_history rows by job id', () =>
      this.connection.orm
        .select()
        .from(syncHistory)
        .where(inList(syncHistory.jobId, jobIds))
        .orderBy(asc(syncHistory.id))
        .all(),
    );
  }

  /**
   * Syncs inactive before `cutoff` whose trail holds more rows without checkpoint data
   * than compaction keeps (maxKeptPlainRows in trail-rule.ts), so compacted trails are
   * not looked at again. Any status: retention
   * decides which are finished (a `running` sync whose owner died long ago is).
   */
  listWithLongTrails(cutoff: number, afterId: number, limit: number): SyncHistoryRow[] {
    // Named in full: drizzle leaves a single-table select's columns unqualified.
    const plainRows = sql`(SELECT count(*) FROM progress_updates WHERE progress_updates.job_id = sync_history.job_id AND progress_updates.checkpoint_data IS NULL)`;
    return readJsonRows('sync_history rows with long trails', () =>
      this.connection.orm
        .select()
        .from(syncHistory)
        .where(
          and(
            lt(syncHistory.lastActivityAt, cutoff),
            gt(syncHistory.id, afterId),
            sql`${plainRows} > ${KEPT_ROWS_PER_PHASE} * json_array_length(sync_history.phases) + ${KEPT_ROWS_AT_ENDS}`,
          ),
        )
        .orderBy(asc(syncHistory.id))
        .limit(limit)
        .all(),
    );
  }

  /** Finished syncs that still have trail rows, oldest first. */
  listWithTrails(afterId: number, limit: number): SyncHistoryRow[] {
    return readJsonRows('sync_history rows with trails', () =>
      this.connection.orm
        .select()
        .from(syncHistory)
        .where(
          and(
            ne(syncHistory.status, 'running'),
            gt(syncHistory.id, afterId),
            sql`EXISTS (SELECT 1 FROM progress_updates WHERE progress_updates.job_id = sync_history.job_id)`,
          ),
        )
        .orderBy(asc(syncHistory.id))
        .limit(limit)
        .all(),
    );
  }

  private selectRaw() {
    return this.connection.orm.select(rawSelection(syncHistory)).from(syncHistory);
  }

  /** Delete these syncs' rows; a sync still `running` is never deleted. Returns rows deleted. */
  deleteFinished(jobIds: string[]): number {
    if (jobIds.length === 0) return 0;
    return this.connection.orm
      .delete(syncHistory)
      .where(and(inList(syncHistory.jobId, jobIds), ne(syncHistory.status, 'running')))
      .run().changes;
  }
}
