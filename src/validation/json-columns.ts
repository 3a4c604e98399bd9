import { z } from 'zod';
import { isWellFormedText } from './file-paths';

/**
 * zod schemas for every JSON column. Rows are parsed with these on the way in and on
 * the way out, so a damaged or hand-edited value is reported, never trusted.
 */

export const phaseDefinitionSchema = z.object({
  // Phase names are also stored as text (checkpoints, progress rows): one with an unpaired
  // surrogate would come back as U+FFFD and match no phase on resume.
  name: z
    .string()
    .min(1)
    .max(100)
    .refine(isWellFormedText, 'must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)'),
  weight: z.number().positive().max(1),
});
export type PhaseDefinition = z.infer<typeof phaseDefinitionSchema>;

export const phasesSchema = z
  .array(phaseDefinitionSchema)
  .min(1)
  .max(50)
  .refine((phases) => new Set(phases.map((p) => p.name)).size === phases.length, {
    message: 'phase names must be unique',
  });

export const phaseDurationsSchema = z.record(z.string(), z.number().int().nonnegative());

export const syncErrorRecordSchema = z.object({
  phase: z.string().max(100).nullable(),
  code: z.string().max(100),
  message: z.string().max(4000),
  file: z.string().max(4096).optional(),
  at: z.number().int().nonnegative(),
});
export type SyncErrorRecord = z.infer<typeof syncErrorRecordSchema>;
export const syncErrorsSchema = z.array(syncErrorRecordSchema).max(100);

export const processMetricsSchema = z.object({
  rate: z.number().finite().nonnegative(),
  memoryUsage: z.number().int().nonnegative(),
  cpuPercent: z.number().finite().nonnegative(),
});
export type ProcessMetrics = z.infer<typeof processMetricsSchema>;

export const checkpointMetadataSchema = z.object({
  metrics: processMetricsSchema,
  caller: z.record(z.string(), z.unknown()).optional(),
});
export type CheckpointMetadata = z.infer<typeof checkpointMetadataSchema>;

/** What a progress row records about the checkpoint written with it, when there was one. */
export const checkpointSummarySchema = z.object({
  seq: z.number().int().nonnegative(),
  filesCompleted: z.number().int().nonnegative(),
  filesPending: z.number().int().nonnegative(),
  filesSkipped: z.number().int().nonnegative(),
});
export type CheckpointSummary = z.infer<typeof checkpointSummarySchema>;

export const callerMetadataSchema = z
  .record(z.string().max(200), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 64 * 1024, {
    message: 'metadata must serialise to at most 64 KiB',
  });
