/**
 * How much one maintenance batch takes on, sized to a time budget for the write lock.
 *
 * Fixed batch sizes are right for one file on one machine only: 500 trail rows cost
 * 1 ms on an idle laptop and 30 ms on a loaded server with a cold page cache. So each
 * batch's lock time is measured (monotonic clock) and the next batch is sized to fit the
 * target at the cost per unit just seen: shrinking at once when a batch ran long, growing
 * at most twofold per batch, so one fast batch on a warm cache cannot send the next far
 * past the target.
 */
export interface BatchSizerOptions {
  /** Units of the first batch: small, since nothing is known yet. */
  initial: number;
  min: number;
  max: number;
  /** Lock time a batch aims at (ms). */
  targetMs: number;
}

export class BatchSizer {
  private size: number;

  constructor(private readonly options: BatchSizerOptions) {
    this.size = clamp(options.initial, options.min, options.max);
  }

  /** Units for the next batch. */
  get next(): number {
    return this.size;
  }

  /** A batch of `units` held the lock `heldMs`: size the next one. */
  record(units: number, heldMs: number): void {
    if (!(units > 0) || !Number.isFinite(heldMs)) return;
    const { min, max, targetMs } = this.options;
    const grown = Math.max(this.size, units * 2);
    const fit = heldMs > 0 ? Math.floor((targetMs * units) / heldMs) : grown;
    this.size = clamp(Math.min(fit, grown), min, max);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.floor(value)));
}
