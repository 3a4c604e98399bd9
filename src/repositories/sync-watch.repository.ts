import { and, desc, eq } from 'drizzle-orm';
import type { Connection } from '../db/connection';
import { progressUpdates, syncHistory } from '../schema';

/**
 * What `status --watch` reads of a sync recorded by another process, over a read-only
 * connection (db/open-read-only openWatchConnection): only the columns it shows and judges
 * liveness by. Queries are built per look, not prepared up front: the file may be one
 * this version cannot read, and that should fail the look, not the opening.
 */
const LIVENESS_COLUMNS = {
  jobId: syncHistory.jobId,
  ownerPid: syncHistory.ownerPid,
  ownerHost: syncHistory.ownerHost,
  ownerBootId: syncHistory.ownerBootId,
  lastActivityAt: syncHistory.lastActivityAt,
  lastActivityMono: syncHistory.lastActivityMono,
};

const SAMPLE_COLUMNS = {
  ...LIVENESS_COLUMNS,
  status: syncHistory.status,
  currentPhase: syncHistory.currentPhase,
  overallProgress: syncHistory.overallProgress,
  filesProcessed: syncHistory.filesProcessed,
  totalFiles: syncHistory.totalFiles,
  startTime: syncHistory.startTime,
  endTime: syncHistory.endTime,
};

export class SyncWatchRepository {
  constructor(private readonly connection: Connection) {}

  /** The project's syncs whose row says running, newest first, with what liveness needs. */
  listRunning(projectId: string) {
    return this.connection.orm
      .select(LIVENESS_COLUMNS)
      .from(syncHistory)
      .where(and(eq(syncHistory.projectId, projectId), eq(syncHistory.status, 'running')))
      .orderBy(desc(syncHistory.id))
      .all();
  }

  /** The sync's row as the watch shows it, or undefined when it is gone. */
  sampleRow(jobId: string) {
    return this.connection.orm
      .select(SAMPLE_COLUMNS)
      .from(syncHistory)
      .where(eq(syncHistory.jobId, jobId))
      .get();
  }

  /** The rate of the sync's newest progress row; undefined before its first. */
  lastRate(jobId: string): number | null | undefined {
    return this.connection.orm
      .select({ rate: progressUpdates.rate })
      .from(progressUpdates)
      .where(eq(progressUpdates.jobId, jobId))
      .orderBy(desc(progressUpdates.id))
      .limit(1)
      .get()?.rate;
  }
}
