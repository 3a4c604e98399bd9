import { z } from 'zod';

/**
 * A git commit as the store keeps it: a full object id, 40 (SHA-1) or 64 (SHA-256)
 * lowercase hex digits. Never a ref (`HEAD`, a branch) and never an abbreviation: both
 * name different commits as the repository moves, and a resume that compares `HEAD`
 * with `HEAD` finds no change and silently skips files that changed.
 */
export const COMMIT_ID_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** What a stored commit must be (read back from the file). */
export const storedCommitIdSchema = z
  .string()
  .regex(COMMIT_ID_PATTERN, 'must be a full commit id (40 or 64 lowercase hex digits)');

/** What a caller may pass: a full commit id in either case, kept lowercase. */
export const commitIdInputSchema = z
  .string()
  .regex(
    /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/,
    'must be a full commit id (40 or 64 hex digits, as `git rev-parse HEAD` prints)',
  )
  .transform((id) => id.toLowerCase());
