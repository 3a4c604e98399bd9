import { renderDurationChart } from '../../src/cli/commands/history';
import { Output } from '../../src/cli/output';
import { historyReportSchema } from '../../src/services/metrics/report-schema';
import { maintenanceReportSchema } from '../../src/services/retention/maintenance-report';
import { ManualClock } from '../support/manual-clock';
import { openTestProgressStore, repoPaths } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';
import { fakeIo, PROJECT, runCli, seedCompleted, seedInterrupted, seedTimedSyncs } from './helpers';

const tmp = useTempDir('cidx-cli-figures-');
const store = (command: string, ...extra: string[]) => [
  command,
  '--project',
  PROJECT,
  '--dir',
  tmp.path,
  ...extra,
];

/** Every number in a JSON document whose key says it is a duration, with where it is. */
function durations(value: unknown, at = '$'): Array<[string, number]> {
  if (Array.isArray(value)) return value.flatMap((item, i) => durations(item, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    typeof item === 'number'
      ? /ms$|duration|estimatedTime/i.test(key)
        ? [[`${at}.${key}`, item] as [string, number]]
        : []
      : durations(item, `${at}.${key}`),
  );
}

/** A monotonic clock that reads a fraction of a millisecond later every time it is read, as the real one does. */
class FractionalClock extends ManualClock {
  private drift = 0;
  override monotonic(): number {
    this.drift += 0.4723;
    return super.monotonic() + this.drift;
  }
}

describe('durations in JSON are whole milliseconds', () => {
  it('in the maintenance report, however fractional the clock', () => {
    const { store: opened } = openTestProgressStore(tmp.path, { clock: new FractionalClock() });
    opened.recording.startSync({ files: repoPaths(5) }).finish();
    const report = opened.retention.runMaintenance();
    expect(report.durationMs).toBeGreaterThan(0);
    expect(durations(report).filter(([, ms]) => !Number.isInteger(ms))).toEqual([]);
    expect(maintenanceReportSchema.shape.durationMs.safeParse(47.472).success).toBe(false);
  });

  it('in the history, status and recorded syncs, however fractional the clock', () => {
    const { store: opened, clock } = openTestProgressStore(tmp.path, { clock: new FractionalClock() });
    const sync = opened.recording.startSync({ files: repoPaths(5) });
    sync.update({
      phase: 'Git Fetch',
      percent: 10,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 5,
      rate: 0,
    });
    opened.recording.startSync({ files: repoPaths(2, 'lib') }).finish();
    clock.advance(1000);
    const running = opened.status.list();
    sync.finish();
    clock.advance(1000);
    const report = opened.metrics.report();
    expect(durations({ running, report }).filter(([, ms]) => !Number.isInteger(ms))).toEqual([]);
    expect(durations({ running, report }).length).toBeGreaterThan(5);
  });

  it.each(['status', 'history', 'maintain', 'doctor'])(
    'in `%s --json` on the real clock',
    async (command) => {
      seedCompleted(tmp.path);
      seedTimedSyncs(tmp.path, [1234, 2345]);
      seedInterrupted(tmp.path);
      const result = await runCli(store(command, '--json'));
      const json = JSON.parse(result.stdout) as unknown;
      expect(durations(json).filter(([, ms]) => !Number.isInteger(ms))).toEqual([]);
      if (command === 'maintain') expect(durations(json).map(([at]) => at)).toContain('$.report.durationMs');
    },
  );
});

describe('the history chart', () => {
  const chartOf = async (durationsMs: number[]) => {
    seedTimedSyncs(tmp.path, durationsMs);
    const result = await runCli(store('history', '--chart'));
    expect(result.code).toBe(0);
    const at = result.stdout.indexOf('Total duration of the last');
    return at < 0 ? null : result.stdout.slice(at);
  };

  it('is not drawn when there is nothing to draw: every sync took no measurable time', async () => {
    expect(await chartOf([0, 0, 0])).toBeNull();
    expect(await chartOf([0, 120, 400])).toBeNull(); // all would read "0s"
  });

  it('never repeats an axis label, however flat or short the line', async () => {
    for (const [dir, series] of [
      ['flat', [5000, 5000, 5000]],
      ['short', [1000, 2000, 1500]],
      ['long', [65_000, 190_000, 3_700_000]],
    ] as const) {
      const chart = await (async () => {
        seedTimedSyncs(tmp.join(dir), series);
        return (await runCli(['history', '--project', PROJECT, '--dir', tmp.join(dir), '--chart'])).stdout;
      })();
      const labels = chart
        .split('\n')
        .filter((line) => /[┤┼]/.test(line))
        .map((line) => line.split(/[┤┼]/)[0]!.trim());
      expect(labels.length).toBeGreaterThanOrEqual(2);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels[labels.length - 1]).toBe('0s');
    }
  });

  it('renderDurationChart returns null for a report whose completed syncs all took 0 ms', () => {
    const out = new Output(fakeIo());
    const base = baseReport();
    const report = { ...base, recent: base.recent.map((sync) => ({ ...sync, durationMs: 0 })) };
    expect(report.recent.filter((sync) => sync.status === 'completed')).toHaveLength(2);
    expect(renderDurationChart(historyReportSchema.parse(report), out)).toBeNull();
  });
});

/** A real, non-empty report to edit. */
function baseReport() {
  seedTimedSyncs(tmp.join('base'), [1000, 2000]);
  const { store: opened } = openTestProgressStore(tmp.join('base'), {
    projectId: PROJECT,
    clock: new ManualClock(Date.now()),
  });
  const report = opened.metrics.report();
  if (report.empty) throw new Error('expected a report');
  return report;
}
