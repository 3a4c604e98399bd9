/**
 * The rule of trail compaction, in one place: which rows of a finished sync's trail are
 * kept, and the bound that follows from it, which the selection of long trails uses in SQL.
 */

/** One row of a trail, as compaction sees it. */
export interface TrailPoint {
  id: number;
  phase: string;
  hasCheckpoint: boolean;
}

/**
 * The rows compaction drops from a finished sync's trail. Kept: the first and the last
 * row, both sides of every phase change (the last row of a phase and the first of the
 * next, so phase timings can still be drawn), and every row written with a checkpoint.
 * Everything else (the 1-per-second rows in between) goes.
 */
export function trailRowsToDrop(trail: TrailPoint[]): number[] {
  return trail
    .filter((point, i) => {
      if (i === 0 || i === trail.length - 1 || point.hasCheckpoint) return false;
      return point.phase === trail[i - 1]!.phase && point.phase === trail[i + 1]!.phase;
    })
    .map((point) => point.id);
}

/** Rows kept per phase (its first and its last) and beyond them (the trail's two ends). */
export const KEPT_ROWS_PER_PHASE = 2;
export const KEPT_ROWS_AT_ENDS = 2;

/**
 * The most rows without checkpoint data a compacted trail keeps, for a sync of
 * `phaseCount` phases; a trail holding more has something to compact.
 */
export function maxKeptPlainRows(phaseCount: number): number {
  return KEPT_ROWS_PER_PHASE * phaseCount + KEPT_ROWS_AT_ENDS;
}
