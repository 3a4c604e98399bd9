import type { RowDamage } from '../errors';

/**
 * A damaged row as doctor lists it and `store.removeDamagedRows()` reports it: part of the
 * public types, in a file of its own so they reach no driver or ORM type.
 */
export interface DamagedRow extends RowDamage {
  /** Where it is in its table, so that it can be removed. */
  rowid: number;
}

export interface RepairResult {
  removed: DamagedRow[];
  /** Damaged sync_history rows written to the archive before they were deleted. */
  archived: number;
}
