/**
 * update()'s input check, called once per file on a large sync. The zod schema is the
 * rule; parsing through it costs about a microsecond, most of the recording loop's
 * budget. So the common report (a plain object with the six fields and nothing else) is
 * checked here by hand, and anything else (an error to word, checkpointData, an object
 * with a prototype) goes through zod. This check accepts only what zod accepts (a
 * property test compares them), so zod's answer is the only one a caller can see.
 */
import { parseInput } from '../../validation/parse';
import { type ProgressUpdate, progressUpdateSchema } from './recording-input';

const FIELDS = new Set(['phase', 'percent', 'phasePercent', 'filesProcessed', 'totalFiles', 'rate']);

/** A report as `update()` takes it: checked, and copied so the caller's object is its own. */
export function parseProgressUpdate(input: unknown): ProgressUpdate {
  return plainReport(input) ?? parseInput(progressUpdateSchema, input, 'update');
}

/**
 * The report copied when it is plainly valid, or null to let zod decide and word why.
 * @internal exported for its test
 */
export function plainReport(input: unknown): ProgressUpdate | null {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) {
    return null;
  }
  const { phase, percent, phasePercent, filesProcessed, totalFiles, rate } = input as Record<string, unknown>;
  if (
    typeof phase !== 'string' ||
    phase.length < 1 ||
    phase.length > 100 ||
    !isPercent(percent) ||
    !isPercent(phasePercent) ||
    !isCount(filesProcessed) ||
    !isCount(totalFiles) ||
    !(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0) ||
    (filesProcessed > totalFiles && totalFiles !== 0) ||
    !holdsOnly(input)
  ) {
    return null;
  }
  return { phase, percent, phasePercent, filesProcessed, totalFiles, rate };
}

function isPercent(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 100;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Whether every enumerable key is one of the six fields (zod's `.strict()`, which also
 * looks at inherited enumerable keys). Each field was read above as a valid value, so
 * the six are there.
 */
function holdsOnly(input: object): boolean {
  for (const key in input) if (!FIELDS.has(key)) return false;
  return true;
}
