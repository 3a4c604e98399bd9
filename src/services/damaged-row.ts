import type { RowDamage } from '../errors';

/**
 * A damaged row as doctor lists it and `store.removeDamagedRows()` reports it: part of the
 * public types, in a file of its own so they reach no driver or ORM type.
 */
export interface DamagedRow extends RowDamage {
  /** Where it is in its table, so that it can be removed. */
  rowid: number;
}

/** What a repair of `sync_figures` did: bad rows deleted, and syncs whose figures were recorded (again). */
export interface FiguresRepair {
  removed: number;
  recorded: number;
}

/** What removing damaged rows did. */
export interface RowsRemoved {
  removed: DamagedRow[];
  /** Damaged sync_history rows written to the archive before they were deleted. */
  archived: number;
}

export interface RepairResult extends RowsRemoved {
  /** `sync_figures` rows the history report could not use, deleted, and syncs whose figures were recorded again. */
  figures: FiguresRepair;
}
