import type { CompletedSyncs } from '../../repositories/sync-figures.repository';
import type { RegressionSums } from '../../repositories/sync-stats.repository';

const DAY_MS = 86_400_000;

/**
 * The sums of DURATION_REGRESSION (sync-stats.sql.ts), computed from the completed rows
 * the report has read already instead of a second pass over the window, bit for bit as
 * SQLite's SUM() computes them: an exact integer sum while every value is an integer,
 * Kahan-Babuska-Neumaier compensated summation once a REAL is met (x, x·y and x² always
 * are), in the rows' order (both read the start_time index in order). `to`: the end of
 * the window, x = days from it.
 */
export function regressionSumsOf(syncs: CompletedSyncs, to: number): RegressionSums {
  const x = new SqliteSum();
  const y = new SqliteSum();
  const xy = new SqliteSum();
  const xx = new SqliteSum();
  const n = syncs.durationMs.length;
  for (let i = 0; i < n; i++) {
    const durationMs = syncs.durationMs[i]!;
    const days = (syncs.startTime[i]! - to) / DAY_MS;
    x.addReal(days);
    xx.addReal(days * days);
    y.add(durationMs);
    xy.addReal(days * durationMs);
  }
  return { n, sumX: x.value(), sumY: y.value(), sumXY: xy.value(), sumXX: xx.value() };
}

/** SQLite's SUM() (func.c sumStep/sumFinalize, 3.43+), for values that fit a double exactly. */
class SqliteSum {
  // Stryker disable next-line BooleanLiteral: the compensated sum of integers is exact, error 0, until the exact one would leave the safe range, where add() switches anyway
  private approx = false;
  private sum = 0;
  private err = 0;

  /** A value that is an integer in SQLite when it is one in JavaScript (an INTEGER column or integer arithmetic). */
  add(value: number): void {
    // Stryker disable next-line BlockStatement: the compensated sum of integers within the safe range is the exact one (error 0)
    if (!this.approx && Number.isSafeInteger(value) && Number.isSafeInteger(this.sum + value)) {
      this.sum += value;
      return;
    }
    this.addReal(value);
  }

  addReal(value: number): void {
    this.approx = true;
    const s = this.sum;
    const t = s + value;
    // Stryker disable next-line EqualityOperator: with |s| = |value| both orders give the same error term (0)
    if (Math.abs(s) > Math.abs(value)) this.err += s - t + value;
    else this.err += value - t + s;
    this.sum = t;
  }

  value(): number {
    // Stryker disable next-line ConditionalExpression: before any real, the error is 0 and sum + 0 is the sum
    if (!this.approx) return this.sum;
    return Number.isFinite(this.err) ? this.sum + this.err : this.sum;
  }
}
