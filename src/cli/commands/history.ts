import { plot, cyan } from 'asciichart';
import type { Command } from 'commander';
import { formatDurationShort } from '../../presentation/durations';
import { renderHistoryReport } from '../../presentation/history-report';
import type { HistoryReport } from '../../services/metrics/report-schema';
import { type CommandEnv, handle, integerIn, withJsonOption, withStoreOptions } from '../command-kit';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import { resolveTarget, type StoreOptions, withReadOnlyStore } from '../store-target';

export interface HistoryOptions extends StoreOptions {
  json?: boolean;
  days: number;
  /** true: always draw the chart; false: never; undefined: when stdout is a wide enough terminal. */
  chart?: boolean;
}

/** `--json` shape of `history` (documented in the README): `report` is store.metrics.report()'s, as is. */
export interface HistoryJson {
  project: string;
  store: string;
  report: HistoryReport;
}

/** Narrowest terminal the chart is drawn on by itself (its labels and a few points need this much). */
const MIN_CHART_COLUMNS = 40;
const CHART_HEIGHT = 8;

export function registerHistory(program: Command, env: CommandEnv): void {
  const command = program
    .command('history')
    .description(
      'sync performance history: durations per phase, trends, failures, with a chart of total duration per sync',
    )
    .option('--days <n>', 'window in days (1-30)', integerIn(1, 30), 7)
    .option('--chart', 'draw the chart even when stdout is not a terminal')
    .option('--no-chart', 'never draw the chart');
  withJsonOption(withStoreOptions(command));
  handle<HistoryOptions>(command, env, (options, out) => runHistory(options, out, env));
}

export async function runHistory(options: HistoryOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const target = await resolveTarget(options, env.io);
  const report = await withReadOnlyStore(target, env.io, (store) =>
    store.metrics.report({ days: options.days }),
  );
  if (out.json) {
    const result: HistoryJson = { project: target.projectId, store: target.dbPath, report };
    out.printJson(result);
    return EXIT.OK;
  }
  out.text(renderHistoryReport(report));
  const wanted = options.chart ?? (out.interactive && out.width >= MIN_CHART_COLUMNS);
  if (wanted) {
    const chart = renderDurationChart(report, out);
    if (chart) out.text(`\n${chart}`);
  }
  return EXIT.OK;
}

/**
 * Total duration of each completed sync among the report's recent ones (its last ten in
 * the window), oldest first, as an asciichart line; null when there is nothing to draw:
 * fewer than two, or every one shorter than the half second the labels can show.
 */
export function renderDurationChart(report: HistoryReport, out: Output): string | null {
  if (report.empty) return null;
  const durations = report.recent
    .filter((sync) => sync.status === 'completed')
    .reverse()
    .map((sync) => sync.durationMs / 1000);
  const longest = Math.max(0, ...durations);
  if (durations.length < 2 || Math.round(longest) === 0) return null;
  // From zero, so a flat line still has an axis; at most one row per second, so no two
  // rows carry the same label (above an hour, a row is at least 7.5 minutes).
  const height = Math.max(1, Math.min(CHART_HEIGHT, Math.floor(longest)));
  const axis = Array.from({ length: height + 1 }, (_, row) =>
    formatDurationShort(((longest * row) / height) * 1000),
  );
  const width = Math.max(...axis.map((label) => label.length), 6);
  const lines = plot(durations, {
    min: 0,
    max: longest,
    height,
    format: (seconds: number) => formatDurationShort(seconds * 1000).padStart(width),
    ...(out.color ? { colors: [cyan] } : {}),
  });
  return `Total duration of the last ${durations.length} completed syncs (oldest first):\n${lines}\n`;
}
