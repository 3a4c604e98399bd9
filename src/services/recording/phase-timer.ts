import { wholeMs } from '../../clock';

/**
 * Per-phase durations on the monotonic clock. A phase entered twice (a resumed sync
 * re-entering it) accumulates; a duration can never be negative.
 */
export class PhaseTimer {
  private readonly totals = new Map<string, number>();
  private current: string | null = null;
  private enteredAt = 0;

  constructor(private readonly monotonic: () => number) {}

  enter(phase: string): void {
    const now = this.monotonic();
    this.closeCurrent(now);
    this.current = phase;
    this.enteredAt = now;
  }

  stop(): void {
    this.closeCurrent(this.monotonic());
    this.current = null;
  }

  durations(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [phase, ms] of this.totals) out[phase] = ms;
    if (this.current) {
      const running = wholeMs(this.monotonic() - this.enteredAt);
      out[this.current] = (out[this.current] ?? 0) + running;
    }
    return out;
  }

  private closeCurrent(now: number): void {
    if (this.current === null) return;
    const elapsed = wholeMs(now - this.enteredAt);
    this.totals.set(this.current, (this.totals.get(this.current) ?? 0) + elapsed);
  }
}
