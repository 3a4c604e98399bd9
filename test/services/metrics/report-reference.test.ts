import { IANAZone, SystemZone } from 'luxon';
import { openStoreDatabase } from '../../../src/db/open-store-database';
import type { FilledHistoryReport } from '../../../src/services/metrics/report-schema';
import { handEdit } from '../../support/hand-edit';
import { HistoryFactory, type SyntheticSync } from '../../support/history-factory';
import { isOwnerAlive } from '../../../src/services/liveness';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { recordFiguresAgain } from '../../support/record-figures-again';
import { ReportReference } from '../../support/report-reference';
import { seededRandom } from '../../support/seeded-random';
import { useTempDir } from '../../support/temp-dir';

/**
 * report() over seeded random histories (resume chains, failures, phase lists that
 * change, missing figures, fractional and negative phase values, damaged rows) equals
 * the same report computed from scratch (test/support/report-reference.ts), figure for
 * figure: the report's single passes and fast paths may not change a value.
 * Replay a failure with REPORT_SEED=<seed printed>.
 */
const tmp = useTempDir();
const DAY = 86_400_000;
const PHASES = ['Initializing', 'Git Fetch', 'Git Merge', 'Indexing Files', 'Validating Index', 'Extra'];

function writeHistory(dbPath: string, clock: ManualClock, next: () => number): void {
  const connection = openStoreDatabase(dbPath, { now: () => clock.now(), warn: () => {} });
  const factory = new HistoryFactory(connection);
  const sync = (): SyntheticSync => {
    const phaseDurations: Record<string, number> = {};
    for (const name of PHASES) {
      if (next() < 0.85) phaseDurations[name] = Math.floor(next() * (next() < 0.1 ? 10 : 400_000));
    }
    return {
      startTime: Math.round(clock.now() - 62 * DAY + next() * 62 * DAY),
      phaseDurations,
      totalDuration: Math.floor(next() * 2_000_000),
      filesIndexed: next() < 0.1 ? null : Math.floor(next() * 5000),
      bytesProcessed: next() < 0.15 ? null : Math.floor(next() * 1e8),
      peakMemoryBytes: next() < 0.1 ? null : Math.floor(next() * 1e9),
      meanCpuPercent: next() < 0.1 ? null : Math.floor(next() * 4000) / 4,
    };
  };
  try {
    factory.batch(() => {
      const count = 100 + Math.floor(next() * 300);
      for (let k = 0; k < count; k++) {
        const kind = next();
        if (kind < 0.15) {
          const first = sync();
          const length = 2 + Math.floor(next() * 2);
          const runs = Array.from({ length }, (_, i) => ({
            ...sync(),
            startTime: first.startTime + i * 60_000,
            status:
              i < length - 1
                ? next() < 0.5
                  ? ('interrupted' as const)
                  : ('failed' as const)
                : next() < 0.8
                  ? ('completed' as const)
                  : ('failed' as const),
          }));
          factory.addChain(runs);
        } else if (kind < 0.22) {
          factory.add({
            ...sync(),
            status: 'failed',
            error: {
              code: next() < 0.5 ? 'ETIMEDOUT' : 'ENOSPC',
              message: `m${Math.floor(next() * 3)}`,
              phase: next() < 0.2 ? null : 'Git Fetch',
            },
          });
        } else if (kind < 0.26) factory.add({ ...sync(), status: 'cancelled' });
        else if (kind < 0.29) factory.add({ ...sync(), status: 'interrupted' });
        else if (kind < 0.31) factory.add({ ...sync(), status: 'running' });
        else factory.add(sync());
      }
    });
  } finally {
    connection.sqlite.close();
  }
}

/** Hand edits an older writer or a person could leave: each row set picked by id. */
function damage(dbPath: string, next: () => number): void {
  const pick = () => 2 + Math.floor(next() * 9);
  handEdit(dbPath, `UPDATE sync_history SET phase_durations = '{oops' WHERE id % ${pick() * 3} = 1`);
  handEdit(dbPath, `UPDATE sync_history SET status = 'bogus' WHERE id % ${pick() * 4} = 2`, {
    ignoreChecks: true,
  });
  handEdit(
    dbPath,
    `UPDATE sync_history SET phase_durations = json_set(phase_durations, '$."Git Merge"', 'slow', '$.Negative', -5)
     WHERE id % ${pick()} = 3 AND json_valid(phase_durations)`,
  );
  handEdit(dbPath, `UPDATE sync_history SET phase_durations = '[1, 2]' WHERE id % ${pick() * 5} = 4`);
  // Fractions (a writer that did not round): quarters, exact in binary, so a sum is the same
  // in any order, as SQLite's and a plain one must be here.
  handEdit(
    dbPath,
    `UPDATE sync_history SET phase_durations = json_set(phase_durations, '$."Git Fetch"', 0.25 + (id % 7) / 4.0)
     WHERE id % ${pick()} = 5 AND json_valid(phase_durations) AND json_type(phase_durations) = 'object'`,
  );
}

describe('report() against a from-scratch computation', () => {
  it('agrees figure for figure over seeded random histories', () => {
    const random = seededRandom('REPORT_SEED');
    const next = () => random.next();
    try {
      for (let round = 0; round < 4; round++) {
        const dir = tmp.join(`history-${round}`);
        const clock = new ManualClock();
        const opened = openTestProgressStore(dir, { clock, autoMaintenance: false });
        const dbPath = opened.store.path;
        closeTestProgressStore(opened.store);
        writeHistory(dbPath, clock, next);
        // Edits made after the syncs completed: their figures recorded again, as the
        // upgrade records them for a file that already holds such rows.
        if (round > 0) {
          damage(dbPath, next);
          recordFiguresAgain(dbPath);
        }
        // Then with no figures recorded: the report computes them from sync_history.
        for (const figures of ['as recorded', 'computed'] as const) {
          if (figures === 'computed') recordFiguresAgain(dbPath, { clear: true });
          const { store } = openTestProgressStore(dir, { clock, autoMaintenance: false });
          const reference = new ReportReference(dbPath, 'acme-api');
          for (const days of [1, 7, 30]) {
            for (const timeZone of [undefined, 'America/New_York', 'Asia/Kolkata']) {
              const report = store.metrics.report({ days, timeZone });
              const zone = timeZone === undefined ? SystemZone.instance : IANAZone.create(timeZone);
              const expected = reference.report(
                clock.now(),
                days,
                zone,
                (row) => !isOwnerAlive(row, clock, { staleAfterMs: 60_000 }),
              );
              if (expected.success.syncs === 0) {
                expect(report.empty).toBe(true);
                continue;
              }
              const filled = report as FilledHistoryReport;
              expect({ figures, days, timeZone, ...pick(filled) }).toEqual({
                figures,
                days,
                timeZone,
                ...expected,
              });
            }
          }
          closeTestProgressStore(store);
        }
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n(replay with ${random.replayHint()})`);
    }
  });
});

/** The report's figures, in the reference's shape (failure points as sorted "phase/code" counts). */
function pick(report: FilledHistoryReport) {
  return {
    success: report.success,
    phases: report.phases,
    meanTotalMs: report.meanTotalMs,
    totalDuration: report.totalDuration,
    rates: report.rates,
    failures: {
      total: report.failures.total,
      points: report.failures.points.map((p) => [`${p.phase ?? ''}/${p.code}`, p.count]).sort(),
    },
    resources: report.resources,
    peakUsage: report.peakUsage,
    recent: report.recent,
    anomalies: report.anomalies,
  };
}
