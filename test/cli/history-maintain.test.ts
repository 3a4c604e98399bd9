import fs from 'node:fs';
import type { HistoryJson } from '../../src/cli/commands/history';
import { renderDurationChart } from '../../src/cli/commands/history';
import { type MaintainJson, renderMaintenanceReport } from '../../src/cli/commands/maintain';
import { maintenanceReportSchema } from '../../src/services/retention/maintenance-report';
import { Output } from '../../src/cli/output';
import { historyReportSchema } from '../../src/services/metrics/report-schema';
import { ManualClock } from '../support/manual-clock';
import { useTempDir } from '../support/temp-dir';
import { DEMO_PHASES } from '../../src/cli/demo/simulated-sync';
import {
  ANSI,
  fakeIo,
  openStore,
  PROJECT,
  runCli,
  seedCompleted,
  seedFiles,
  seedInterrupted,
  seedTimedSyncs,
} from './helpers';

const DAY = 24 * 3_600_000;

const tmp = useTempDir('cidx-cli-history-');
const history = (...extra: string[]) => ['history', '--project', PROJECT, '--dir', tmp.path, ...extra];
const maintain = (...extra: string[]) => ['maintain', '--project', PROJECT, '--dir', tmp.path, ...extra];

describe('cidx-progress history', () => {
  it('exits 3 without a store, and 2 on a window outside 1..30 days', async () => {
    expect((await runCli(history())).code).toBe(3);
    expect((await runCli(history('--days', '31'))).code).toBe(2);
    expect((await runCli(history('--days', 'seven'))).stderr).toContain(
      'expected a whole number from 1 to 30',
    );
  });

  it('counts a sync left running by a process that is gone as interrupted, not in progress', async () => {
    seedCompleted(tmp.path);
    seedInterrupted(tmp.path); // its store closed without ending it: nobody owns it now
    const result = await runCli(history('--json'));
    expect(result.code).toBe(0);
    const { report } = JSON.parse(result.stdout) as HistoryJson;
    if (report.empty) throw new Error('expected a filled report');
    expect(report.success).toMatchObject({
      syncs: 2,
      succeeded: 1,
      interrupted: 1,
      inProgress: 0,
      percent: 50,
    });
  });

  it("prints the story's history display, and the chart when asked", async () => {
    seedTimedSyncs(tmp.path, [3000, 5000, 4000]);
    const plain = await runCli(history());
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('📊 Sync Performance History (Last 7 days)');
    expect(plain.stdout).toContain('Success Rate: 100% (3/3 syncs)');
    expect(plain.stdout).toMatch(/Recent Syncs:\n {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}✓ {2}4s {2}3 files/);
    // Not a terminal: no chart unless asked.
    expect(plain.stdout).not.toContain('Total duration of the last');

    const charted = await runCli(history('--days', '30', '--chart'));
    expect(charted.stdout).toContain('(Last 30 days)');
    expect(charted.stdout).toContain('Total duration of the last 3 completed syncs (oldest first):');
    expect(charted.stdout).toMatch(/┼|┤/);
    expect(charted.stdout).not.toMatch(ANSI);
  });

  it('draws the chart on a wide terminal by itself (in colour), not on a narrow one or with --no-chart', async () => {
    seedTimedSyncs(tmp.path, [3000, 5000]);
    const wide = await runCli(history(), { tty: true, columns: 100 });
    expect(wide.stdout).toContain('Total duration of the last 2 completed syncs');
    expect(wide.stdout).toMatch(ANSI);
    expect((await runCli(history(), { tty: true, columns: 30 })).stdout).not.toContain('Total duration');
    expect((await runCli(history('--no-chart'), { tty: true, columns: 100 })).stdout).not.toContain(
      'Total duration',
    );
  });

  it('says there is nothing yet on an empty history, with no chart', async () => {
    seedInterrupted(tmp.path);
    const result = await runCli(history('--chart'));
    expect(result.stdout).toContain('📊 Sync Performance History (Last 7 days)');
    expect(result.stdout).not.toContain('Total duration');
    const out = new Output(fakeIo());
    const empty = historyReportSchema.parse({
      empty: true,
      days: 7,
      generatedAt: 0,
      timeZone: 'UTC',
      window: { from: 0, to: 1 },
    });
    expect(renderDurationChart(empty, out)).toBeNull();
  });

  it('--json prints the report as store.metrics.report() makes it, value for value', async () => {
    // Known history from a manual clock: durations, a failure and files that every section reflects.
    const clock = new ManualClock(Date.now() - 2 * DAY);
    const store = openStore(tmp.path, PROJECT, { clock });
    for (const [initMs, indexMs, outcome] of [
      [400, 3000, 'ok'],
      [0, 5000, 'ok'],
      [1200, 9000, 'fail'],
    ] as const) {
      const files = seedFiles(6);
      const sync = store.recording.startSync({ files, phases: DEMO_PHASES });
      clock.advance(initMs);
      sync.update({
        phase: 'Indexing Files',
        percent: 50,
        phasePercent: 0,
        filesProcessed: 0,
        totalFiles: 6,
        rate: 0,
      });
      clock.advance(indexMs);
      sync.completeFiles(files.slice(0, 4));
      if (outcome === 'ok') sync.finish({ filesIndexed: 4, bytesProcessed: 4096 });
      else sync.fail({ code: 'EMFILE', message: 'too many open files', file: files[4] });
      clock.advance(3 * 3_600_000);
    }
    store.close();

    const result = await runCli(history('--json', '--days', '3'));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as HistoryJson;
    expect(json.project).toBe(PROJECT);
    expect(json.store).toBe(tmp.join(`${PROJECT}.db`));
    expect(historyReportSchema.parse(json.report)).toEqual(json.report);

    // The same store, asked through the API at the instant the command used.
    const same = openStore(tmp.path, PROJECT, { clock: new ManualClock(json.report.generatedAt) });
    const expected = same.metrics.report({ days: 3 });
    same.close();
    expect(json.report).toEqual(JSON.parse(JSON.stringify(expected)));
    // And the values are the seeded ones, so the comparison is not between two empty reports.
    if (json.report.empty) throw new Error('expected a filled report');
    expect(json.report.days).toBe(3);
    expect(json.report.success).toMatchObject({ syncs: 3, succeeded: 2, failed: 1 });
    expect(json.report.phases.find((p) => p.name === 'Indexing Files')).toMatchObject({
      syncs: 2,
      meanMs: 4000,
    });
    expect(json.report.failures.points).toEqual([
      expect.objectContaining({ phase: 'Indexing Files', code: 'EMFILE', count: 1 }),
    ]);
    expect(json.report.recent).toHaveLength(3);
  });
});

describe('cidx-progress maintain', () => {
  it('exits 3 without a store', async () => {
    expect((await runCli(maintain())).code).toBe(3);
  });

  it('--dry-run reports and changes nothing; a real run records itself', async () => {
    seedCompleted(tmp.path);
    const dbPath = tmp.join(`${PROJECT}.db`);
    const snapshot = () =>
      [dbPath, `${dbPath}-wal`]
        .map((f) => (fs.existsSync(f) ? fs.readFileSync(f).toString('base64') : ''))
        .join('|');
    const before = snapshot();
    const dry = await runCli(maintain('--dry-run'));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Maintenance of project ${PROJECT} (dry run: nothing was changed)`);
    expect(dry.stdout).toMatch(/Checkpoints: +0 rows \(0 B\) would be removed/);
    expect(dry.stdout).toMatch(/Size budget: +50\.0 MB: under before, under after/);
    const json = JSON.parse((await runCli(maintain('--dry-run', '--json'))).stdout) as MaintainJson;
    expect(json.report).toEqual(expect.objectContaining({ dryRun: true, trigger: 'manual' }));
    expect(snapshot()).toBe(before);

    const real = await runCli(maintain('--json'));
    expect(real.code).toBe(0);
    const report = (JSON.parse(real.stdout) as MaintainJson).report;
    expect(report).toEqual(expect.objectContaining({ dryRun: false, trigger: 'manual' }));
    const doctor = JSON.parse(
      (await runCli(['doctor', '--project', PROJECT, '--dir', tmp.path, '--json'])).stdout,
    );
    expect(doctor.facts.lastMaintenanceAt).toBeGreaterThanOrEqual(report.startedAt);
  });
});

describe('renderMaintenanceReport', () => {
  it('shows archives written and deleted, early pruning and reclaimed space', () => {
    const removed = (rows: number) => ({ rows, bytes: rows * 100 });
    const report = maintenanceReportSchema.parse({
      dryRun: false,
      trigger: 'manual',
      startedAt: 0,
      durationMs: 1500,
      transactions: 12,
      longestTransactionMs: 5,
      slices: 1,
      longestSliceMs: 1500,
      removed: {
        checkpoints: removed(2),
        checkpointFiles: removed(20),
        syncHistory: removed(30),
        progressCompacted: removed(1200),
        progressRemoved: removed(5),
      },
      syncsInterrupted: 1,
      checkpointsKept: 1,
      archive: {
        dir: '/s/p.archive',
        filesWritten: ['/s/p.archive/2026-10.jsonl.gz'],
        rows: 30,
        bytesWritten: 2_345,
        filesDeleted: ['/s/p.archive/2025-01.jsonl.gz'],
      },
      budget: {
        maxBytes: 50_000_000,
        targetBytes: 40_000_000,
        overBefore: true,
        overAfter: false,
        pruned: { checkpoints: 1, trails: 2, syncs: 3 },
      },
      vacuum: { kind: 'incremental', reason: 'free pages', bytesReclaimed: 3_000_000, lockMs: 0 },
      size: {
        before: { fileBytes: 52_000_000, freeBytes: 0, walBytes: 0 },
        after: { fileBytes: 39_000_000, freeBytes: 1000, walBytes: 4096 },
      },
    });
    const io = fakeIo();
    renderMaintenanceReport('p', report, new Output(io));
    const text = io.stdout.text;
    expect(text).toContain('Maintenance of project p  2s, 12 transactions, longest 5 ms');
    expect(text).toMatch(
      /Checkpoints: +2 rows \(200 B\) removed, with 20 rows \(2\.0 kB\) of file log; 1 expired kept/,
    );
    expect(text).toMatch(
      /Sync history: +30 rows \(3\.0 kB\) archived to \/s\/p\.archive \(2\.3 kB written\)/,
    );
    expect(text).toMatch(/Progress trails: +1,200 rows \(120\.0 kB\) compacted, 5 rows \(500 B\) removed/);
    expect(text).toMatch(/Interrupted: +1 running sync\(s\) with a dead owner marked interrupted/);
    expect(text).toMatch(
      /Size budget: +50\.0 MB: over before, under after; pruned early: 1 checkpoints, 2 trails, 3 syncs/,
    );
    expect(text).toMatch(/Vacuum: +incremental, 3\.0 MB reclaimed \(free pages\)/);
    expect(text).toMatch(/Size: +52\.0 MB → 39\.0 MB \(free 1\.0 kB, WAL 4\.1 kB\)/);
    expect(text).toMatch(/Old archives: +1 file\(s\) deleted/);
    expect(text).not.toContain('not run');

    const skippedIo = fakeIo();
    renderMaintenanceReport(
      'p',
      {
        ...report,
        skipped: { reason: 'busy', owner: { pid: 42, host: 'box', bootId: null, heartbeatAt: 0 } },
      },
      new Output(skippedIo),
    );
    expect(skippedIo.stdout.text).toContain('(not run: maintenance is running in process 42 on box)');
    const notDueIo = fakeIo();
    renderMaintenanceReport(
      'p',
      { ...report, skipped: { reason: 'not-due', lastMaintenanceAt: 0 } },
      new Output(notDueIo),
    );
    expect(notDueIo.stdout.text).toContain('(not run: another process finished a maintenance run meanwhile)');

    const full = {
      ...report,
      vacuum: { kind: 'full' as const, reason: 'monthly', bytesReclaimed: 9_000_000, lockMs: 312 },
    };
    const fullIo = fakeIo();
    renderMaintenanceReport('p', full, new Output(fullIo));
    expect(fullIo.stdout.text).toMatch(
      /Vacuum: +full, 9\.0 MB reclaimed, held the write lock 312 ms \(monthly\)/,
    );
  });
});
