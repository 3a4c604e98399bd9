/**
 * The states a file of the ledger can be in, as the one byte per ordinal the ledger keeps,
 * and the rule of the file log: which logged event may move a file from which state.
 */
import type { OrdinalEventKind } from '../../repositories/checkpoint-files.repository';

export type FileState = 'pending' | 'completed' | 'skipped';

export interface FileCounts {
  pending: number;
  completed: number;
  skipped: number;
}

/** States by ordinal; GONE is a removed path (or one never planned). */
export const GONE = 0;
export const PENDING = 1;
export const COMPLETED = 2;
export const SKIPPED = 3;
export const STATE_NAMES = [undefined, 'pending', 'completed', 'skipped'] as const;
export const STATE_CODES: Record<FileState, number> = {
  pending: PENDING,
  completed: COMPLETED,
  skipped: SKIPPED,
};

/** The state a logged event of `kind` puts a file in. */
export function stateAfter(kind: OrdinalEventKind): number {
  return kind === 'completed'
    ? COMPLETED
    : kind === 'skipped'
      ? SKIPPED
      : kind === 'reopened'
        ? PENDING
        : GONE;
}

/**
 * Whether a logged event of `kind` may apply to a file in state `from`: only a pending
 * file is finished, only a finished one reopened, and anything still planned removed.
 */
export function mayMove(kind: OrdinalEventKind, from: number): boolean {
  if (kind === 'completed' || kind === 'skipped') return from === PENDING;
  if (kind === 'reopened') return from === COMPLETED || from === SKIPPED;
  return from !== GONE;
}
