import type { SyncHistoryRow } from '../schema';
import { DEFAULT_PHASES } from './recording/recording-input';
import type { RowCheck } from '../validation/rows';

/**
 * What the resume rules may assume about a damaged sync row. Its good columns are kept;
 * each bad one reads as the value that asks the least of it: a status outside the closed
 * set (or a bad owner) is a sync nobody owns, a bad activity time is "now" (so it is still
 * offered, as not resumable, until someone starts fresh or a later sync supersedes it),
 * bad counts are zero, bad phases are CIDX's defaults. Null when even the job id is bad:
 * such a row cannot be addressed at all.
 */
export function salvageSyncRow(check: RowCheck<SyncHistoryRow>, now: number): SyncHistoryRow | null {
  if (check.ok) return check.row;
  const bad = check.badColumns;
  const raw = check.raw as Partial<SyncHistoryRow>;
  if (bad.has('jobId') || typeof raw.jobId !== 'string') return null;
  const pick = <K extends keyof SyncHistoryRow>(key: K, fallback: SyncHistoryRow[K]): SyncHistoryRow[K] =>
    bad.has(key) || raw[key] === undefined ? fallback : (raw[key] as SyncHistoryRow[K]);
  const statusBad = bad.has('status') || bad.has('ownerPid');
  const phases = pick('phases', DEFAULT_PHASES);
  return {
    id: pick('id', 0),
    jobId: raw.jobId,
    projectId: pick('projectId', ''),
    status: statusBad ? 'running' : pick('status', 'running'),
    startTime: pick('startTime', now),
    endTime: pick('endTime', null),
    lastActivityAt: pick('lastActivityAt', now),
    lastActivityMono: bad.has('lastActivityAt') ? null : pick('lastActivityMono', null),
    totalDuration: pick('totalDuration', null),
    phaseDurations: pick('phaseDurations', null),
    phases,
    currentPhase: bad.has('phases') ? null : pick('currentPhase', null),
    overallProgress: pick('overallProgress', 0),
    filesProcessed: pick('filesProcessed', 0),
    totalFiles: pick('totalFiles', 0),
    filesChanged: pick('filesChanged', null),
    filesIndexed: pick('filesIndexed', null),
    bytesProcessed: pick('bytesProcessed', null),
    errors: pick('errors', null),
    gitCommit: pick('gitCommit', null),
    ownerPid: statusBad ? null : pick('ownerPid', null),
    ownerHost: pick('ownerHost', null),
    ownerStartedAt: pick('ownerStartedAt', null),
    ownerBootId: pick('ownerBootId', null),
    resumedFromJobId: pick('resumedFromJobId', null),
    resumedByJobId: pick('resumedByJobId', null),
    peakMemoryBytes: pick('peakMemoryBytes', null),
    meanCpuPercent: pick('meanCpuPercent', null),
    metadata: pick('metadata', null),
  };
}
