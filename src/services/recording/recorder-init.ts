/** What a SyncRecorder is started with, and the states it goes through. */
import type { SyncStatus } from '../../schema/sync-status';
import type { PhaseDefinition } from '../../validation/json-columns';
import type { FileLedger } from './file-ledger';

/** @internal What a recorder starts from (made by the recording and resume services). */
export interface RecorderInit {
  jobId: string;
  lineageId: string;
  phases: PhaseDefinition[];
  gitCommit: string | null;
  ledger: FileLedger;
  /** Number of the checkpoint already in the database for this job. */
  checkpointSeq: number;
  checkpointCreatedAt: number;
  startWall: number;
  startPhase: string;
  metadata: Record<string, unknown> | undefined;
}

/** `recording` while running; then how it ended, or `detached` if another process took it over. */
export type RecorderState = 'recording' | SyncStatus | 'detached';
