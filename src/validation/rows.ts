import { CorruptDatabaseError } from '../errors';
import type { CheckpointRow, ProgressUpdateRow, SyncHistoryRow } from '../schema';
import {
  checkpointMetadataSchema,
  checkpointSummarySchema,
  phaseDurationsSchema,
  phasesSchema,
  syncErrorsSchema,
} from './json-columns';
import type { z } from 'zod';

/**
 * JSON columns are parsed with zod on the way out; a value that does not fit is damage
 * (a bad disk, a hand edit) and is reported as such rather than handed to the caller.
 */
function checked<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CorruptDatabaseError(`${where} does not hold valid data: ${result.error.issues[0]?.message}`);
  }
  return result.data;
}

function checkedOrNull<T>(schema: z.ZodType<T>, value: unknown, where: string): T | null {
  return value === null || value === undefined ? null : checked(schema, value, where);
}

/**
 * drizzle runs JSON.parse on JSON columns while it reads the row, so text that is not
 * JSON at all fails with a SyntaxError before any schema sees it. That is damage too:
 * report it as such, like a value that parses but does not fit.
 */
export function readJsonRows<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new CorruptDatabaseError(`${where} does not hold valid JSON: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export function parseSyncHistoryRow(row: SyncHistoryRow): SyncHistoryRow {
  const where = `sync_history row of job ${row.jobId}`;
  return {
    ...row,
    phases: checked(phasesSchema, row.phases, `${where}, phases`),
    phaseDurations: checkedOrNull(phaseDurationsSchema, row.phaseDurations, `${where}, phase_durations`),
    errors: checkedOrNull(syncErrorsSchema, row.errors, `${where}, errors`),
  };
}

/** On the way in the same schemas guard against the package's own mistakes. */
export function validateSyncHistoryJson(row: {
  phases?: unknown;
  phaseDurations?: unknown;
  errors?: unknown;
}): void {
  if (row.phases !== undefined) phasesSchema.parse(row.phases);
  if (row.phaseDurations != null) phaseDurationsSchema.parse(row.phaseDurations);
  if (row.errors != null) syncErrorsSchema.parse(row.errors);
}

export function parseCheckpointRow(row: CheckpointRow): CheckpointRow {
  return {
    ...row,
    metadata: checked(checkpointMetadataSchema, row.metadata, `checkpoint of job ${row.jobId}, metadata`),
  };
}

export function parseProgressUpdateRow(row: ProgressUpdateRow): ProgressUpdateRow {
  return {
    ...row,
    checkpointData: checkedOrNull(checkpointSummarySchema, row.checkpointData, `progress update ${row.id} of job ${row.jobId}, checkpoint_data`),
  };
}
