import { DateTime, Duration } from 'luxon';
import type {
  FilledHistoryReport,
  HistoryReport,
  PhaseTrend,
  SyncEntry,
} from '../services/metrics/report-schema';
import { formatDurationShort } from './durations';

/**
 * The story's "Historical Metrics Display" for a report from `store.metrics.report()`:
 *
 *   📊 Sync Performance History (Last 7 days)
 *
 *   Average Duration by Phase:
 *     • Git Fetch:    45s (↓ 12% improvement)
 *     • Git Merge:    8s  (stable)
 *   …
 *   Success Rate: 94% (47/50 syncs)
 *   Average Total Time: 3m 38s
 *   Peak Usage: Monday 10am-12pm
 *
 *   Recent Syncs:
 *     2024-01-15 10:30  ✓  3m 12s  1,234 files
 *     2024-01-14 16:20  ✗  Failed   Network timeout
 *
 * Dates and the peak window are in the report's time zone.
 */
export function renderHistoryReport(report: HistoryReport): string {
  const title = `📊 Sync Performance History (Last ${report.days} day${report.days === 1 ? '' : 's'})`;
  if (report.empty) return `${title}\n\nNo syncs finished in this period yet.\n`;
  return [
    title,
    '',
    'Average Duration by Phase:',
    ...phaseLines(report),
    '',
    `Success Rate: ${Math.round(report.success.percent)}% (${report.success.succeeded}/${report.success.syncs} syncs)`,
    `Average Total Time: ${report.meanTotalMs === null ? 'n/a' : formatDurationShort(report.meanTotalMs)}`,
    `Peak Usage: ${peakLabel(report)}`,
    '',
    'Recent Syncs:',
    ...recentLines(report),
    '',
  ].join('\n');
}

function phaseLines(report: FilledHistoryReport): string[] {
  if (report.phases.length === 0) return ['  (no completed syncs)'];
  const labelWidth = Math.max(...report.phases.map((p) => p.name.length + 1)) + 3;
  return report.phases.map((phase) => {
    const line = `  • ${`${phase.name}:`.padEnd(labelWidth)}${formatDurationShort(phase.meanMs).padEnd(3)} ${trendLabel(phase.trend)}`;
    return line.trimEnd();
  });
}

function trendLabel(trend: PhaseTrend | null): string {
  if (!trend) return '';
  const percent = Math.round(Math.abs(trend.percentChange));
  switch (trend.direction) {
    case 'improvement':
      return `(↓ ${percent}% improvement)`;
    case 'slower':
      return `(↑ ${percent}% slower)`;
    default:
      return '(stable)';
  }
}

function peakLabel(report: FilledHistoryReport): string {
  const peak = report.peakUsage;
  return peak ? `${peak.weekday} ${clockHour(peak.startHour)}-${clockHour(peak.endHour)}` : 'n/a';
}

/** 0 → 12am, 10 → 10am, 12 → 12pm, 24 → 12am. */
function clockHour(hour: number): string {
  const suffix = hour % 24 < 12 ? 'am' : 'pm';
  return `${hour % 12 === 0 ? 12 : hour % 12}${suffix}`;
}

const STATUS_WORDS: Record<Exclude<SyncEntry['status'], 'completed'>, string> = {
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

function recentLines(report: FilledHistoryReport): string[] {
  const completed = report.recent.filter((sync) => sync.status === 'completed');
  const durationWidth = Math.max(0, ...completed.map((sync) => columnDuration(sync.durationMs).length));
  const filesWidth = Math.max(0, ...completed.map((sync) => formatCount(sync.filesIndexed).length));
  return report.recent.map((sync) => {
    const when = DateTime.fromMillis(sync.startedAt, { zone: report.timeZone }).toFormat('yyyy-MM-dd HH:mm');
    const rest =
      sync.status === 'completed'
        ? `✓  ${columnDuration(sync.durationMs).padEnd(durationWidth)}  ${filesLabel(sync.filesIndexed, filesWidth)}`
        : `✗  ${STATUS_WORDS[sync.status].padEnd(durationWidth + 1)}  ${sync.reason ?? sync.errorCode ?? ''}`;
    return `  ${when}  ${rest}`.trimEnd();
  });
}

function filesLabel(files: number | null, width: number): string {
  return files === null ? '' : `${formatCount(files).padStart(width)} files`;
}

function formatCount(files: number | null): string {
  return files === null ? '' : files.toLocaleString('en-US');
}

/** Like formatDurationShort, with the smaller unit in two digits so a column lines up: `4m 05s`. */
function columnDuration(ms: number): string {
  const d = Duration.fromObject({ seconds: Math.max(0, Math.round(ms / 1000)) }).shiftTo(
    'hours',
    'minutes',
    'seconds',
  );
  const two = (n: number) => String(n).padStart(2, '0');
  if (d.hours > 0) return `${d.hours}h ${two(d.minutes)}m`;
  if (d.minutes > 0) return `${d.minutes}m ${two(d.seconds)}s`;
  return `${d.seconds}s`;
}
