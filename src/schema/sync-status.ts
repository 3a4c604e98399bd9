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

/** Kinds of entries in the append-only file log of a checkpoint lineage. */
export const FILE_EVENT_KINDS = ['planned', 'completed', 'skipped', 'reopened', 'removed'] as const;

export type FileEventKind = (typeof FILE_EVENT_KINDS)[number];

/** SQL list literal for a CHECK constraint; the values are compile-time constants, never input. */
export function sqlInList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
