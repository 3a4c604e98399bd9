/**
 * One timer for the whole process, shared by every open store's upkeep (WAL merges,
 * maintenance slices), so a process with hundreds of stores open still has one pending
 * timer, and their upkeep never lands in one event-loop turn all at once.
 *
 * Per-store timers created together (a server opening 200 projects at start) expire
 * together: Node runs every expired timer of a list in the same turn, so 200 WAL merges or
 * maintenance slices would run back to back and hold the event loop for seconds. Here a
 * turn runs due tasks, earliest first, only until `turnBudgetMs` is spent; the rest wait
 * for the next turn, after whatever I/O the caller has pending.
 *
 * The timer is unref'd: upkeep never keeps a process alive. Tasks are dropped with
 * `cancel` (a store does it when it closes); nothing is held once no task is left.
 */
export interface UpkeepTask {
  /** Do one piece of upkeep; return the delay before the next (ms), or null for none. Must not throw. */
  run(): number | null;
}

export interface UpkeepSchedulerOptions {
  /** A turn runs due tasks until it has taken this long (at least one task per turn). */
  turnBudgetMs?: number;
  /** Milliseconds from a monotonic origin; default performance.now(). */
  now?: () => number;
}

const DEFAULT_TURN_BUDGET_MS = 4;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class UpkeepScheduler {
  private readonly due = new Map<UpkeepTask, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly turnBudgetMs: number;
  private readonly now: () => number;

  constructor(options: UpkeepSchedulerOptions = {}) {
    this.turnBudgetMs = options.turnBudgetMs ?? DEFAULT_TURN_BUDGET_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Run `task` once `delayMs` from now (replacing when it was due, if it was). */
  schedule(task: UpkeepTask, delayMs: number): void {
    this.due.set(task, this.now() + Math.max(0, delayMs));
    this.arm();
  }

  cancel(task: UpkeepTask): void {
    this.due.delete(task);
    if (this.due.size === 0) this.disarm();
  }

  /** Tasks waiting (for tests and the many-stores benchmark). */
  get size(): number {
    return this.due.size;
  }

  private arm(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const at of this.due.values()) next = Math.min(next, at);
    if (next === Number.POSITIVE_INFINITY) return this.disarm();
    // timerAt is +Infinity whenever no timer is set (disarm and turn keep it so).
    if (this.timerAt <= next) return;
    this.disarm();
    this.timerAt = next;
    this.timer = setTimeout(
      () => this.turn(),
      Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil(next - this.now()))),
    );
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private turn(): void {
    // The timer fired, so what it was set for is due, even if the clock reads a hair
    // earlier (timers round to whole milliseconds).
    const firedFor = this.timerAt;
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const started = this.now();
    for (;;) {
      const task = this.earliestDue(Math.max(this.now(), firedFor));
      if (task === null) break;
      this.due.delete(task);
      let again: number | null = null;
      try {
        again = task.run();
      } catch {
        // A task that throws broke its promise; it is not run again (`again` stays null).
      }
      // A task may have rescheduled or cancelled itself meanwhile: its own word wins.
      if (again !== null && !this.due.has(task)) this.due.set(task, this.now() + Math.max(0, again));
      if (this.now() - started >= this.turnBudgetMs) break;
    }
    this.arm();
  }

  private earliestDue(at: number): UpkeepTask | null {
    let best: UpkeepTask | null = null;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const [task, dueAt] of this.due) {
      if (dueAt <= at && dueAt < bestAt) {
        best = task;
        bestAt = dueAt;
      }
    }
    return best;
  }
}

/** The process's scheduler: every store's upkeep shares it. */
export const upkeepScheduler = new UpkeepScheduler();
