/**
 * The closed set of states a sync row can be in. `interrupted` is a sync whose owner
 * died and that was then given up (superseded, or the user chose "start fresh");
 * `resumed` is one whose work was taken over by a newer sync (see resumed_by_job_id).
 */
export const SYNC_STATUSES = [
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
  'resumed',
] as const;

export type SyncStatus = (typeof SYNC_STATUSES)[number];

/**
 * A sync that never completed and was not given up or taken over: it may be resumed or
 * started fresh from, and retention keeps it (with its checkpoint) while it is recent.
 */
export const RESUMABLE_STATUSES = ['running', 'failed', 'cancelled'] as const satisfies readonly SyncStatus[];
export type ResumableStatus = (typeof RESUMABLE_STATUSES)[number];

/** How a recorder ends its own sync (`interrupted` and `resumed` are set by others). */
export const OUTCOME_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly SyncStatus[];
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** A sync that has ended, one way or another; `resumed` is left out, its work went on elsewhere. */
export const ENDED_STATUSES = [
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const satisfies readonly SyncStatus[];
export type EndedStatus = (typeof ENDED_STATUSES)[number];

export function isResumableStatus(status: string): status is ResumableStatus {
  return (RESUMABLE_STATUSES as readonly string[]).includes(status);
}

/** Kinds of entries in the append-only file log of a checkpoint lineage. */
export const FILE_EVENT_KINDS = ['planned', 'completed', 'skipped', 'reopened', 'removed'] as const;

export type FileEventKind = (typeof FILE_EVENT_KINDS)[number];

/** SQL list literal for a CHECK constraint; the values are compile-time constants, never input. */
export function sqlInList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
