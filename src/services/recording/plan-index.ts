/**
 * Where a path is in a ledger's plan (its ordinal), found with as little of an index as the
 * call needs. A new plan keeps the whole path → ordinal map as it grows; a plan loaded from
 * the file log has none until something needs it, because building it reads and hashes every
 * path of the lineage (300 ms at 500k files). Until then a resume's merge indexes only the
 * paths its changes name, and the resumed sync finds the files it was handed out in the
 * ledger's own copy of that list (HandedOutPaths).
 */
import { CorruptDatabaseError } from '../../errors';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import { GONE, PENDING } from './file-states';
import { HandedOutPaths } from './handed-out-paths';
import { decodeSegment, ordinalsOf, pathOf, type Segment } from './path-segments';

export class PlanIndex {
  private handedOut: HandedOutPaths | null = null;

  /**
   * `whole`: the map of a new plan (kept as it grows), or null for a plan loaded from the
   * file log. `onDamagedRow` is told of a stored row of finished files left out (see all()).
   */
  constructor(
    private readonly segments: readonly Segment[],
    private whole: Map<string, number> | null,
    private readonly onDamagedRow: (problem: InconsistentFileLogError) => void,
  ) {}

  /**
   * The path → ordinal map of every path in the plan, built once when first needed. A
   * stored row of finished files is read only now (a resume reads the rows it hands paths
   * out from); one that turns out damaged, or cannot be read, is left out and told through
   * onDamagedRow: its files stay finished, a path of it named again reads as new, and
   * nothing is thrown into the caller's loop; the next resume that merges changes reads it
   * and starts over. A row holding files not finished cannot be left out: a
   * CorruptDatabaseError, typed.
   */
  all(states: Uint8Array): Map<string, number> {
    if (this.whole) return this.whole;
    const index = new Map<string, number>();
    for (const segment of this.segments) {
      if (!this.indexable(segment, states)) continue;
      for (let i = 0, o = segment.first; i < segment.count; i++, o++) {
        if (states[o] !== GONE) index.set(pathOf(segment, i), o);
      }
    }
    this.whole = index;
    // Stryker disable next-line all: frees the copy only; the whole map answers from now on
    this.handedOut = null;
    return index;
  }

  /** The ordinal of `path` if it is planned and pending; found without the whole map when it was handed out. */
  pendingOrdinal(path: string, states: Uint8Array): number | undefined {
    const ordinal = this.whole ? this.whole.get(path) : this.handedOut?.ordinalOf(path);
    return ordinal !== undefined && states[ordinal] === PENDING ? ordinal : undefined;
  }

  /** The pending files were handed out: `paths[i]` at `ordinals[i]` (copied: the caller's array may change). */
  handedOutAs(paths: readonly string[], ordinals: Int32Array): void {
    // Stryker disable next-line ConditionalExpression: with the whole map the copy is never asked (pendingOrdinal reads the map)
    if (!this.whole) this.handedOut = new HandedOutPaths(paths.slice(), ordinals);
  }

  /**
   * Run `work` with a map of `paths` alone when the whole one is not built: every lookup
   * `work` makes must be of one of `paths`, any other would read as a path not in the plan.
   * The map is dropped afterwards; the next call that needs one builds the whole map.
   */
  withOnly<T>(paths: readonly string[], states: Uint8Array, work: () => T): T {
    // Stryker disable next-line ConditionalExpression: the lookups answer the same either way; this spares a second map beside the whole one
    if (this.whole) return work();
    const index = new Map<string, number>();
    for (const [path, ordinals] of ordinalsOf(this.segments, paths)) {
      for (const ordinal of ordinals) if (states[ordinal] !== GONE) index.set(path, ordinal);
    }
    this.whole = index;
    try {
      return work();
    } finally {
      this.whole = null;
    }
  }

  /** Whether a segment's paths can be indexed: checked now if they were not yet (see all()). */
  private indexable(segment: Segment, states: Uint8Array): boolean {
    try {
      // Stryker disable next-line ConditionalExpression: a segment of the caller's own paths exists only once the whole map does
      if (segment.text === null && segment.paths === null) decodeSegment(segment);
      return true;
    } catch (error) {
      const problem =
        error instanceof InconsistentFileLogError
          ? error
          : new InconsistentFileLogError(
              `a planned row could not be read: ${error instanceof Error ? error.message : String(error)}`,
            );
      if (states.subarray(segment.first, segment.first + segment.count).includes(PENDING)) {
        throw new CorruptDatabaseError(problem.message, { cause: error });
      }
      this.onDamagedRow(problem);
      return false;
    }
  }
}
