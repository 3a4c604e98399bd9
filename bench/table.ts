import { formatMs, type Stats } from './harness';

/** One line of the results table. */
export interface ResultRow {
  operation: string;
  size: string;
  /** Timed figures; null for a row that is a single value (a file size) or not measured. */
  stats: Stats | null;
  /** The raw better-sqlite3 floor measured in the same run, when the operation has one. */
  baseline?: { label: string; stats: Stats };
  /** A value shown instead of timings (a size, a count). */
  value?: string;
  goal: string;
  /** true met, false missed, null: no goal for this row or not measured. */
  met: boolean | null;
  note?: string;
  notMeasured?: boolean;
}

/** The p50 ratio to the baseline: how far above SQLite's own floor the operation sits. */
export function ratio(row: ResultRow): string {
  if (!row.stats || !row.baseline) return '—';
  return `${(row.stats.p50 / row.baseline.stats.p50).toFixed(2)}×`;
}

function verdict(row: ResultRow): string {
  if (row.notMeasured) return 'not yet measured';
  if (row.met === null) return '—';
  return row.met ? 'met' : '**missed**';
}

const HEADER = [
  'operation',
  'size',
  'n',
  'p50',
  'p99',
  'max',
  'baseline p50 / p99',
  'ratio (p50)',
  'goal',
  'result',
];

/** The rows as a Markdown table (what BENCHMARKS.md holds, and what the script prints). */
export function markdownTable(rows: ResultRow[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const s = row.stats;
    const cells = [
      row.operation,
      row.size,
      s ? String(s.n) : '—',
      s ? formatMs(s.p50) : (row.value ?? '—'),
      s ? formatMs(s.p99) : '—',
      s ? formatMs(s.max) : '—',
      row.baseline ? `${formatMs(row.baseline.stats.p50)} / ${formatMs(row.baseline.stats.p99)}` : '—',
      ratio(row),
      row.goal,
      verdict(row),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Notes under the table: what each baseline is and anything a row needs explained. */
export function notes(rows: ResultRow[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.baseline && !seen.has(row.baseline.label)) {
      seen.add(row.baseline.label);
      out.push(`- baseline for "${row.operation}": ${row.baseline.label}`);
    }
    if (row.note) out.push(`- ${row.operation} (${row.size}): ${row.note}`);
  }
  return out.join('\n');
}
