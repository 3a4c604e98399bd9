/**
 * cidx-progress: crash-safe progress persistence, resume and history for CIDX syncs.
 * Everything a caller needs is exported from here.
 */
export { openProgressStore, ProgressStore, type ProgressStoreOptions } from './store';
export type { Clock } from './clock';
export { systemClock } from './clock';
export * from './errors';
export type { StoreWarning } from './services/store-warning';
export { DEFAULT_PHASES } from './services/recording/recording-input';
export type {
  FailureInput,
  FinishInput,
  ProgressUpdate,
  StartSyncInput,
} from './services/recording/recording-input';
export type { SyncRecorder, RecorderState } from './services/recording/sync-recorder';
export type { FileCounts } from './services/recording/file-counts';
export type { ResourceProbe } from './services/recording/process-sampler';
export type { ResumeInfo } from './services/resume/resume-info';
export type { ResumePlan } from './services/resume/resume-plan';
export type { Resumed, ResumeSource } from './services/resume/resume-service';
export type { FileChange } from './services/resume/git-changes';
export type { StatusService, SyncStatusEntry } from './services/status-service';
export type { DamagedRow, FiguresRepair, RepairResult } from './services/damaged-row';
export type { MetricsService } from './services/metrics/metrics-service';
export type { EstimateInput } from './services/metrics/estimate';
export {
  historyReportSchema,
  reportOptionsSchema,
  type HistoryReport,
  type FilledHistoryReport,
  type EmptyHistoryReport,
  type ReportOptions,
  type PhaseReport,
  type PhaseTrend,
  type SyncEntry,
  type FailurePoint,
  type PeakUsage,
  type LongTermTrend,
  type TrendDirection,
} from './services/metrics/report-schema';
export { STABLE_WITHIN_PERCENT } from './services/metrics/statistics';
export { defaultProgressDir, resolveStoreLocation } from './config/store-paths';
export { MIGRATIONS_FOLDER } from './db/migrations';
export { SYNC_STATUSES, type SyncStatus } from './schema/sync-status';
export { renderResumePrompt, renderResumeDetails, type ResumeChoice } from './presentation/resume-prompt';
export { promptResume, type PromptResumeOptions } from './presentation/prompt-resume';
export { formatDurationShort, formatDurationWords } from './presentation/durations';
export { renderHistoryReport } from './presentation/history-report';
export type { RetentionService } from './services/retention/retention-service';
export {
  maintenanceReportSchema,
  type MaintenanceReport,
  type MaintenanceOptions,
  type RemovedRows,
  type StoreSize,
} from './services/retention/maintenance-report';
export { readArchive } from './services/retention/read-archive';
export type { LeaseOwner as MaintenanceLeaseOwner } from './services/retention/maintenance-report';
export type { ArchiveDamage, ArchivedSync } from './services/retention/archived-sync';
export { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from './services/retention/retention-policy';
