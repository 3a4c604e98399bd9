import { z } from 'zod';
import { ValidationError } from '../../errors';
import { commitIdInputSchema } from '../../validation/commit-id';
import { callerMetadataSchema, phasesSchema } from '../../validation/json-columns';

/** The phases CIDX reports, in order, with the share of overall progress each covers. */
export const DEFAULT_PHASES = [
  { name: 'Initializing', weight: 0.05 },
  { name: 'Git Fetch', weight: 0.25 },
  { name: 'Git Merge', weight: 0.1 },
  { name: 'Detecting Changes', weight: 0.05 },
  { name: 'Indexing Files', weight: 0.45 },
  { name: 'Validating Index', weight: 0.1 },
];

export const jobIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

/** A full commit id (see validation/commit-id): the same rule the store applies when it reads one back. */
export const gitCommitSchema = commitIdInputSchema;

export const startSyncInputSchema = z
  .object({
    jobId: jobIdSchema.optional(),
    gitCommit: gitCommitSchema.optional(),
    // Each path is checked by the ledger as it plans them: one pass, one hash of each path.
    files: z.custom<string[]>((v) => Array.isArray(v), { message: 'must be an array of paths' }).optional(),
    phases: phasesSchema.optional(),
    metadata: callerMetadataSchema.optional(),
  })
  .strict();
export type StartSyncInput = z.input<typeof startSyncInputSchema>;

const percent = z.number().min(0).max(100);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const progressUpdateSchema = z
  .object({
    phase: z.string().min(1).max(100),
    percent,
    phasePercent: percent,
    filesProcessed: count,
    totalFiles: count,
    rate: z.number().nonnegative(),
    checkpointData: callerMetadataSchema.optional(),
  })
  .strict()
  .refine((u) => u.filesProcessed <= u.totalFiles || u.totalFiles === 0, {
    path: ['filesProcessed'],
    message: 'must not exceed totalFiles',
  });
export type ProgressUpdate = z.infer<typeof progressUpdateSchema>;

export const finishInputSchema = z
  .object({
    filesChanged: count.optional(),
    filesIndexed: count.optional(),
    bytesProcessed: count.optional(),
  })
  .strict();
export type FinishInput = z.input<typeof finishInputSchema>;

export const failureInputSchema = z.union([
  z.string().min(1).max(4000),
  z
    .object({
      message: z.string().max(4000),
      code: z.string().max(100).optional(),
      phase: z.string().max(100).optional(),
      file: z.string().max(4096).optional(),
    })
    .loose(),
]);
/** An Error, a message, or a structured failure (`code`, `phase`, `file` when known). */
export type FailureInput = Error | string | { message: string; code?: string; phase?: string; file?: string };

export const cancelReasonSchema = z.string().max(4000).optional();

/**
 * A file list from the caller, before the ledger checks each path (only paths it does not
 * know yet go through the path rules: a planned path passed them when it was planned).
 */
export function pathList(input: unknown, context: string): readonly unknown[] {
  if (!Array.isArray(input))
    throw new ValidationError([{ path: '', message: 'must be an array of paths' }], context);
  return input;
}
