/**
 * Sums of resume chains for the report: a completed sync that resumed others counts the
 * durations and phase durations of all its runs (LOGICAL_DURATION, LOGICAL_PHASES in
 * sync-stats.sql.ts). Walking each chain in SQL costs several µs a row. The runs of a
 * chain are nearly always in the report's window, read by its one pass (the `resumed`
 * runs with their links): those chains are walked here; the others are read in one query
 * (CHAIN_RUNS). Either way they are summed in JavaScript. The sums must be SQLite's
 * exactly, so only integers are summed here (exact in any order); a phase value that is
 * not a number, or out of the range of a duration (negative, past 2^53 - 1), is skipped by
 * both; a chain with anything else (a fraction, entries SQL and JavaScript count differently, a duration that is
 * not an integer, a sum past 2^53 - 1, phases JavaScript cannot parse) is left to SQL, one
 * statement for that chain.
 */

/** Phase durations that SQLite reads as a JSON object and JavaScript cannot parse. */
export const UNPARSEABLE = Symbol('unparseable');

/** One run of a chain, as CHAIN_RUNS reads it (or the window pass gives it). */
export interface ChainRun {
  head: number;
  durationMs: unknown;
  /** The run's phase durations, parsed, when SQLite reads them as a JSON object; else null. */
  phases: unknown;
  /** Entries json_each finds in the phase durations (SQL keeps a key written twice once, as JSON.parse). */
  entries: number;
}

/** A run of the window that was resumed by another (status `resumed`), with its link. */
export interface ResumedRun {
  resumedFrom: string | null;
  durationMs: number | null;
  phases: unknown;
  entries: number;
}

/** A completed run that resumed others: its own run, and the job it resumed. */
export interface ChainHead {
  run: ChainRun;
  resumedFrom: string;
}

export interface ChainSum {
  durationMs: number;
  /** {phase: summed ms}, as LOGICAL_PHASES gives it (key order aside). */
  phases: Record<string, number>;
}

/** The walk's bound, as CHAIN's: the head and at most 1000 runs before it. */
const MAX_DEPTH = 1000;

/**
 * The runs of each chain whose runs are all in `resumed` (by job id), head first; the
 * heads whose chain leaves it (a run outside the window, damaged, or not `resumed`), or
 * goes round, are `elsewhere`: CHAIN_RUNS reads those.
 */
export function walkChains(
  heads: readonly ChainHead[],
  resumed: ReadonlyMap<string, ResumedRun>,
): { runs: ChainRun[]; elsewhere: number[] } {
  const runs: ChainRun[] = [];
  const elsewhere: number[] = [];
  for (const { run, resumedFrom } of heads) {
    const chain: ChainRun[] = [run];
    const seen = new Set<string>();
    let from: string | null = resumedFrom;
    while (from !== null) {
      const previous = resumed.get(from);
      if (!previous || seen.has(from) || chain.length > MAX_DEPTH) break;
      seen.add(from);
      chain.push({
        head: run.head,
        durationMs: previous.durationMs,
        phases: previous.phases,
        entries: previous.entries,
      });
      from = previous.resumedFrom;
    }
    if (from === null) runs.push(...chain);
    else elsewhere.push(run.head);
  }
  return { runs, elsewhere };
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
    sums.set(head, total && { durationMs: total.durationMs, phases: Object.fromEntries(total.phases) });
  }
  return sums;
}

/** Adds one run; false when its figures are not all integers SQL and JavaScript sum alike. */
function addRun(total: { durationMs: number; phases: Map<string, number> }, run: ChainRun): boolean {
  if (!isWhole(run.durationMs)) return false;
  total.durationMs += run.durationMs;
  if (!Number.isSafeInteger(total.durationMs)) return false;
  if (run.phases === null) return true;
  // JSON SQLite accepts and JavaScript does not: SQL's verdict stands.
  if (typeof run.phases !== 'object' || Array.isArray(run.phases)) return false;
  const parsed = run.phases as Record<string, unknown>;
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

/** A stored phase-duration text as a ChainRun holds it: parsed, UNPARSEABLE, or null. */
export function chainPhases(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return UNPARSEABLE;
  }
}
