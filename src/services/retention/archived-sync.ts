import type { SyncStatus } from '../../schema/sync-status';
import type { PhaseDefinition, SyncErrorRecord } from '../../validation/json-columns';

/**
 * One archived sync, as readArchive returns it: a `sync_history` row, written out field
 * by field so the public types name no database driver or ORM type
 * (test/packaging/public-types.test.ts checks it stays exactly the row's shape).
 */
export interface ArchivedSync {
  id: number;
  jobId: string;
  projectId: string;
  status: SyncStatus;
  startTime: number;
  endTime: number | null;
  lastActivityAt: number;
  lastActivityMono: number | null;
  totalDuration: number | null;
  phaseDurations: Record<string, number> | null;
  phases: PhaseDefinition[];
  currentPhase: string | null;
  overallProgress: number;
  filesProcessed: number;
  totalFiles: number;
  filesChanged: number | null;
  filesIndexed: number | null;
  bytesProcessed: number | null;
  errors: SyncErrorRecord[] | null;
  gitCommit: string | null;
  ownerPid: number | null;
  ownerHost: string | null;
  ownerStartedAt: number | null;
  ownerBootId: string | null;
  resumedFromJobId: string | null;
  resumedByJobId: string | null;
  peakMemoryBytes: number | null;
  meanCpuPercent: number | null;
  metadata: Record<string, unknown> | null;
}

/** Something in an archive file that could not be read back. */
export interface ArchiveDamage {
  file: string;
  /** Byte offset in the file where the damage starts. */
  offset: number;
  /** Bytes from `offset` that could not be read (0 for a bad line inside a good member). */
  bytes: number;
  /** For a line that is not a sync row: its number within its gzip member (1-based); else null. */
  line: number | null;
  reason: string;
}
