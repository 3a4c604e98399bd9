import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { PROJECT_ID_PATTERN } from '../config/project-id';
import {
  type CheckpointRow,
  checkpoints,
  type ProgressUpdateRow,
  progressUpdates,
  storeMeta,
  SYNC_STATUSES,
  type SyncHistoryRow,
  syncHistory,
} from '../schema';
import { jobIdSchema } from '../services/recording/recording-input';
import { storedCommitIdSchema } from './commit-id';
import {
  callerMetadataSchema,
  checkpointMetadataSchema,
  checkpointSummarySchema,
  phaseDurationsSchema,
  phasesSchema,
  syncErrorsSchema,
} from './json-columns';

/**
 * What a row read back from the file must look like: the same rules as input, column by
 * column. Each schema is derived from its drizzle table (drizzle-zod), so every column is
 * checked at least for its type (an integer column holding 'yesterday' fails), and the
 * domain rules below refine it. The rule objects are typed as covering every column of
 * the row: a column added to a table is a type error here until it is given its rule.
 *
 * `checkpoint_files` (the file log) is validated by its own reader, path by path.
 */

type StoreMetaRow = typeof storeMeta.$inferSelect;

type Rules<Row> = Record<keyof Row, (base: z.ZodType) => z.ZodType>;

const time = () => z.number().int();
const count = () => z.number().int().nonnegative();
const percent = () => z.number().min(0).max(100);
const jobId = () => jobIdSchema;
const phaseName = () => z.string().min(1).max(100);
const text = (max: number) => () => z.string().max(max);

const syncHistoryRules = {
  id: () => z.number().int().positive(),
  jobId,
  projectId: () => z.string().regex(PROJECT_ID_PATTERN, 'must be a project id'),
  status: () => z.enum(SYNC_STATUSES),
  startTime: time,
  endTime: time,
  lastActivityAt: time,
  // Monotonic ms since boot, kept to the microsecond: not an integer.
  lastActivityMono: () => z.number().nonnegative(),
  totalDuration: count,
  phaseDurations: () => phaseDurationsSchema,
  phases: () => phasesSchema,
  currentPhase: phaseName,
  overallProgress: percent,
  filesProcessed: count,
  totalFiles: count,
  filesChanged: count,
  filesIndexed: count,
  bytesProcessed: count,
  errors: () => syncErrorsSchema,
  gitCommit: () => storedCommitIdSchema,
  ownerPid: () => z.number().int().positive(),
  ownerHost: text(255),
  ownerStartedAt: time,
  ownerBootId: text(255),
  resumedFromJobId: jobId,
  resumedByJobId: jobId,
  peakMemoryBytes: count,
  meanCpuPercent: () => z.number().nonnegative(),
  metadata: () => callerMetadataSchema,
} satisfies Rules<SyncHistoryRow>;

export const syncHistoryRowSchema = createSelectSchema(syncHistory, syncHistoryRules).superRefine(
  (row, ctx) => {
    // The phase it is in must be one of its phases.
    if (row.currentPhase != null && !row.phases.some((p) => p.name === row.currentPhase)) {
      ctx.addIssue({
        code: 'custom',
        path: ['currentPhase'],
        message: `${JSON.stringify(row.currentPhase)} is not one of the sync's phases`,
      });
    }
  },
);

const checkpointRules = {
  jobId,
  lineageId: jobId,
  seq: count,
  createdAt: time,
  updatedAt: time,
  gitCommit: () => storedCommitIdSchema,
  phase: phaseName,
  phaseProgress: percent,
  overallProgress: percent,
  phaseStartedAt: time,
  filesCompleted: count,
  filesPending: count,
  filesSkipped: count,
  metadata: () => checkpointMetadataSchema,
} satisfies Rules<CheckpointRow>;

/** A checkpoint on its own; that its phase is one of its sync's is checked with the sync (see checkpointPhaseProblem). */
export const checkpointRowSchema = createSelectSchema(checkpoints, checkpointRules);

const progressUpdateRules = {
  id: () => z.number().int().positive(),
  jobId,
  timestamp: time,
  elapsedMs: count,
  phase: phaseName,
  overallProgress: percent,
  phaseProgress: percent,
  filesProcessed: count,
  totalFiles: count,
  rate: () => z.number().nonnegative(),
  checkpointData: () => checkpointSummarySchema,
} satisfies Rules<ProgressUpdateRow>;

export const progressUpdateRowSchema = createSelectSchema(progressUpdates, progressUpdateRules);

const storeMetaRules = {
  // Keys carry data of their own (a lease's owner: pid, host name, boot id, token; an
  // archive batch's file name): a host name alone may be 253 characters.
  key: text(1024),
  value: time,
} satisfies Rules<StoreMetaRow>;

export const storeMetaRowSchema = createSelectSchema(storeMeta, storeMetaRules);

/** Why a checkpoint cannot belong to a sync with these phases, or null. */
export function checkpointPhaseProblem(
  checkpoint: CheckpointRow,
  phases: readonly { name: string }[],
): string | null {
  return phases.some((p) => p.name === checkpoint.phase)
    ? null
    : `checkpoints.phase: ${JSON.stringify(checkpoint.phase)} is not one of the sync's phases`;
}
