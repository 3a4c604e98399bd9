import type { ProgressUpdateInsert } from '../../src/repositories/progress-updates.repository';
import type { SyncOutcomeFields } from '../../src/repositories/sync-history.repository';
import type { CheckpointRow, NewSyncHistoryRow } from '../../src/schema';

/** Valid rows for repository-level tests; override only what a test is about. */

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export const DEFAULT_PHASES = [
  { name: 'Git Fetch', weight: 0.3 },
  { name: 'Indexing Files', weight: 0.7 },
];

export function syncHistoryRow(overrides: Partial<NewSyncHistoryRow> = {}): NewSyncHistoryRow {
  return {
    jobId: 'job-1',
    projectId: 'proj',
    startTime: T0,
    lastActivityAt: T0,
    phases: DEFAULT_PHASES,
    ownerPid: 4242,
    ownerHost: 'host-a',
    ownerStartedAt: T0,
    ...overrides,
  };
}

export function syncOutcome(overrides: Partial<SyncOutcomeFields> = {}): SyncOutcomeFields {
  return {
    status: 'completed',
    endTime: T0 + 60_000,
    totalDuration: 60_000,
    phaseDurations: { 'Git Fetch': 20_000, 'Indexing Files': 40_000 },
    currentPhase: 'Indexing Files',
    overallProgress: 100,
    filesProcessed: 10,
    totalFiles: 10,
    filesChanged: 3,
    filesIndexed: 10,
    bytesProcessed: 12_345,
    errors: null,
    peakMemoryBytes: 50_000_000,
    meanCpuPercent: 12.5,
    ...overrides,
  };
}

export function progressRow(overrides: Partial<ProgressUpdateInsert> = {}): ProgressUpdateInsert {
  return {
    jobId: 'job-1',
    timestamp: T0,
    elapsedMs: 0,
    phase: 'Indexing Files',
    overallProgress: 50,
    phaseProgress: 25,
    filesProcessed: 5,
    totalFiles: 20,
    rate: 2.5,
    checkpointData: null,
    ...overrides,
  };
}

export function checkpointRow(overrides: Partial<CheckpointRow> = {}): CheckpointRow {
  return {
    jobId: 'job-1',
    lineageId: 'job-1',
    seq: 1,
    createdAt: T0,
    updatedAt: T0,
    gitCommit: 'a'.repeat(40),
    phase: 'Indexing Files',
    phaseProgress: 10,
    overallProgress: 50,
    phaseStartedAt: T0,
    filesCompleted: 1,
    filesPending: 2,
    filesSkipped: 0,
    metadata: { metrics: { rate: 1.5, memoryUsage: 1000, cpuPercent: 3 } },
    ...overrides,
  };
}
