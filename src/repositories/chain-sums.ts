/**
 * Sums of resume chains for the report: a completed sync that resumed others counts the
 * durations and phase durations of all its runs (LOGICAL_DURATION, LOGICAL_PHASES in
 * sync-stats.sql.ts). Walking each chain in SQL costs several µs a row; here every chain
 * of a window is read in one query (CHAIN_RUNS) and summed in JavaScript. The sums must
 * be SQLite's exactly, so only integers are summed here (exact in any order, rendered
 * exactly by json_group_object); a phase value that is not a number, or out of the range
 * of a duration (negative, past 2^53 - 1), is skipped by both; a chain with anything else
 * (a fraction, a key written twice, a run duration that is not whole, a sum past 2^53 - 1)
 * is left to SQL, one statement for that chain.
 */

/** One run of a chain, as CHAIN_RUNS reads it. */
export interface ChainRun {
  head: number;
  durationMs: unknown;
  /** The run's phase durations when they are a JSON object, else null. */
  phases: string | null;
  /** Entries json_each finds in `phases`. */
  entries: number;
}

export interface ChainSum {
  durationMs: number;
  /** JSON text of {phase: summed ms}, as LOGICAL_PHASES gives it (key order aside). */
  phases: string;
}

/**
 * The sums per chain head of `runs`; a head whose sums SQL must make (see above) maps to
 * null. Every head of `runs` is in the result.
 */
export function sumChains(runs: readonly ChainRun[]): Map<number, ChainSum | null> {
  const totals = new Map<number, { durationMs: number; phases: Map<string, number> } | null>();
  for (const run of runs) {
    let total = totals.get(run.head);
    if (total === null) continue;
    if (total === undefined) totals.set(run.head, (total = { durationMs: 0, phases: new Map() }));
    if (!addRun(total, run)) totals.set(run.head, null);
  }
  const sums = new Map<number, ChainSum | null>();
  for (const [head, total] of totals) {
    sums.set(
      head,
      total && {
        durationMs: total.durationMs,
        phases: JSON.stringify(Object.fromEntries(total.phases)),
      },
    );
  }
  return sums;
}

/** Adds one run; false when its figures are not all integers SQL and JavaScript sum alike. */
function addRun(total: { durationMs: number; phases: Map<string, number> }, run: ChainRun): boolean {
  if (!isWhole(run.durationMs)) return false;
  total.durationMs += run.durationMs;
  if (!Number.isSafeInteger(total.durationMs)) return false;
  if (run.phases === null) return true;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(run.phases) as Record<string, unknown>;
  } catch {
    return false; // JSON SQLite accepts and JavaScript does not: SQL's verdict stands
  }
  const names = Object.keys(parsed);
  if (names.length !== run.entries) return false;
  for (const name of names) {
    const ms = parsed[name];
    // Skipped as LOGICAL_PHASES skips it: not a number, or out of a duration's range.
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= Number.MAX_SAFE_INTEGER)) continue;
    if (!Number.isSafeInteger(ms)) return false;
    const sum = (total.phases.get(name) ?? 0) + ms;
    if (!Number.isSafeInteger(sum)) return false;
    total.phases.set(name, sum);
  }
  return true;
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
