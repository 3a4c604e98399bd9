import path from 'node:path';
import { openProgressStore } from '../../../src';
import { lastJsonLine, startChild } from '../../support/child-process';
import { writeHeavyMonth } from '../../support/heavy-month';
import { rows, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();
const child = path.join(__dirname, 'children', 'record-progress.js');

interface RecorderFigures {
  writes: number;
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  callTimes: number[];
  slow: Array<[number, number]>;
  warnings: string[];
}

/**
 * Maintenance in this process, a sync recording in another, on the same file. Each
 * maintenance batch is its own short transaction, so the recorder keeps writing
 * throughout. The longest update() the recorder saw is printed, not asserted (timings
 * belong to the benchmark); what is asserted is that it wrote while maintenance ran,
 * lost nothing and was never told a write failed.
 */
describe('maintenance while another process records', () => {
  it('never holds the recorder off: it writes throughout, and loses nothing', async () => {
    const store = openProgressStore({
      projectId: 'acme-api',
      dir: tmp.path,
      autoMaintenance: false,
      maxDatabaseBytes: 3_000_000,
      onWarning: () => {},
    });
    writeHeavyMonth(storeInternals(store).connection, {
      end: Date.now() - 60_000,
      trailSeconds: 30,
      filesPerCheckpoint: 2000,
    });

    const recorder = startChild(child, [tmp.path, 'acme-api', 'recorder']);
    await recorder.waitForLine('recording');
    await new Promise((resolve) => setTimeout(resolve, 300)); // the recorder is in its stride
    const started = Date.now();
    const report = store.retention.runMaintenance();
    const ended = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    recorder.send('stop');
    const result = await recorder.exited;
    expect(result.code).toBe(0);
    const figures = lastJsonLine<RecorderFigures>(result.stdout);

    const during = figures.callTimes.filter((t) => t >= started && t <= ended).length;
    console.log(
      `maintenance ${Math.round(report.durationMs)} ms (${report.transactions} transactions, longest ${report.longestTransactionMs.toFixed(1)} ms, vacuum ${report.vacuum.kind}); ` +
        `recorder in another process: ${during} writes meanwhile, update() p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms, max ${figures.maxMs.toFixed(1)} ms`,
    );
    expect(report.removed.progressCompacted.rows + report.removed.progressRemoved.rows).toBeGreaterThan(
      10_000,
    );
    expect(report.transactions).toBeGreaterThan(20);
    expect(during).toBeGreaterThan(report.transactions / 10);
    expect(figures.warnings).toEqual([]);
    // Every write the recorder made is there (one progress row per update, plus finish's).
    const saved = rows<{ n: number }>(
      store,
      "SELECT count(*) AS n FROM progress_updates WHERE job_id = 'recorder'",
    )[0]!.n;
    expect(saved).toBe(figures.writes + 1);
    store.close();
  });
});
