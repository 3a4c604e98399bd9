import type { SyncErrorRecord } from '../../validation/json-columns';
import { parseInput } from '../../validation/parse';
import { type FailureInput, failureInputSchema } from './recording-input';

/**
 * Turn what the caller says went wrong (an Error, a message, or a structured failure) into
 * the structured error history keeps: phase, code, message, and file when known. The phase
 * defaults to the one the sync was in.
 */
export function toFailureRecord(error: FailureInput, currentPhase: string, at: number): SyncErrorRecord {
  const failure =
    error instanceof Error
      ? { message: error.message, code: (error as { code?: unknown }).code }
      : parseInput(failureInputSchema, error, 'fail');
  if (typeof failure === 'string') return { phase: currentPhase, code: 'ERROR', message: failure, at };
  return {
    phase: 'phase' in failure && typeof failure.phase === 'string' ? failure.phase : currentPhase,
    code: typeof failure.code === 'string' && failure.code ? failure.code.slice(0, 100) : 'ERROR',
    message: String(failure.message).slice(0, 4000),
    // The schema lets only a string or undefined through; a key holding undefined is stored as no key.
    file: 'file' in failure ? failure.file : undefined,
    at,
  };
}
