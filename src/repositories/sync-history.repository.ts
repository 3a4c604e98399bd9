import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { type NewSyncHistoryRow, type SyncHistoryRow, syncHistory } from '../schema';
import type { SyncStatus } from '../schema/sync-status';
import { parseSyncHistoryRow, readJsonRows, validateSyncHistoryJson } from '../validation/rows';

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

/** Statuses a sync can be resumed (or started fresh) from. */
export const RESUMABLE_STATUSES: SyncStatus[] = ['running', 'failed', 'cancelled'];

/**
 * Queries over `sync_history`. Writes that belong to a running sync are conditional on
 * it still being `running`: they return false when the sync was taken over meanwhile.
 */
export class SyncHistoryRepository {
  private readonly touchProgress;
  private readonly touchHeartbeat;

  constructor(private readonly connection: Connection) {
    const { orm } = connection;
    const running = and(
      eq(syncHistory.jobId, sql.placeholder('jobId')),
      eq(syncHistory.status, 'running'),
    );
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
  }

  insert(row: NewSyncHistoryRow): void {
    validateSyncHistoryJson(row);
    this.connection.orm.insert(syncHistory).values(row).run();
  }

  findByJobId(jobId: string): SyncHistoryRow | null {
    const row = readJsonRows(`sync_history row of job ${jobId}`, () =>
      this.connection.orm.select().from(syncHistory).where(eq(syncHistory.jobId, jobId)).get(),
    );
    return row ? parseSyncHistoryRow(row) : null;
  }

  /** Returns false when the sync is no longer running (finished, or claimed by a resume). */
  updateProgress(jobId: string, fields: SyncProgressFields): boolean {
    return this.touchProgress.run({ jobId, ...fields }).changes === 1;
  }

  heartbeat(jobId: string, at: number, mono: number): boolean {
    return this.touchHeartbeat.run({ jobId, lastActivityAt: at, lastActivityMono: mono }).changes === 1;
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
    from: SyncStatus[],
    to: SyncStatus,
    fields: { endTime?: number; resumedByJobId?: string } = {},
  ): boolean {
    const result = this.connection.orm
      .update(syncHistory)
      .set({ status: to, ownerPid: null, ...fields })
      .where(and(eq(syncHistory.jobId, jobId), inArray(syncHistory.status, from)))
      .run();
    return result.changes === 1;
  }

  /** The project's latest syncs of any status, newest first (by insertion sequence, not wall time). */
  listRecent(projectId: string, limit: number): SyncHistoryRow[] {
    return this.connection.orm
      .select()
      .from(syncHistory)
      .where(eq(syncHistory.projectId, projectId))
      .orderBy(desc(syncHistory.id))
      .limit(limit)
      .all()
      .map(parseSyncHistoryRow);
  }

  /** Syncs that may be incomplete, newest first (by insertion sequence, not wall time). */
  listResumeCandidates(projectId: string, limit = 50): SyncHistoryRow[] {
    return readJsonRows(`sync_history rows of project ${projectId}`, () =>
      this.connection.orm
        .select()
        .from(syncHistory)
        .where(and(eq(syncHistory.projectId, projectId), inArray(syncHistory.status, RESUMABLE_STATUSES)))
        .orderBy(desc(syncHistory.id))
        .limit(limit)
        .all(),
    ).map(parseSyncHistoryRow);
  }
}
