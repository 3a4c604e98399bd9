import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SystemZone } from 'luxon';
import type { FilledHistoryReport, HistoryReport, StoreWarning } from '../../src';
import { openProgressStore } from '../../src';
import { isOwnerAlive } from '../../src/services/liveness';
import { FIXTURE_PROJECT, FIXTURE_WALL } from '../fixtures/make-v0.1-fixture';
import { handEdit } from '../support/hand-edit';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { ReportReference } from '../support/report-reference';
import {
  closeTestStore,
  openTestStore,
  SHIPPED_MIGRATIONS,
  SHIPPED_TAGS,
  UNDO_LATEST_MIGRATION,
} from '../support/store';
import { useTempDir } from '../support/temp-dir';
import { copyFixtureStore, drizzleKitMigrate } from '../support/upgrade';

/**
 * 0004_report_indexes adds three partial indexes the report reads (runs with errors,
 * damaged rows) and changes no data; 0005 redefines the damaged-row ones (numbers held to
 * zod's limits). A file of the previous schema (the 0.1 fixture, and
 * a history written by the current code with the new indexes taken off again) reports
 * after the upgrade exactly what the from-scratch reference computes from its rows, and
 * warns of the same damaged rows, whichever migrator upgraded it.
 */
const tmp = useTempDir();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NEW_INDEXES = [
  'sync_history_errors_start_time_idx',
  'sync_history_damaged_figures_idx',
  'sync_history_damaged_activity_idx',
];
const REPORT_INDEXES = SHIPPED_MIGRATIONS[SHIPPED_TAGS.indexOf('0004_report_indexes')]!;

function indexes(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?) ORDER BY name")
      .pluck()
      .all(...NEW_INDEXES) as string[];
  } finally {
    db.close();
  }
}

/** A history with chains, failures, damaged rows and a running sync whose owner is gone, at the schema before 0004. */
function previousSchemaStore(now: number): { dir: string; dbPath: string } {
  const dir = tmp.join('store');
  fs.mkdirSync(dir, { mode: 0o700 });
  const dbPath = path.join(dir, 'acme-api.db');
  const connection = openTestStore(dbPath);
  const history = new HistoryFactory(connection);
  history.batch(() => {
    for (let k = 0; k < 60; k++) {
      const startTime = now - 20 * DAY + k * 7 * HOUR;
      const phaseDurations = { Fetch: 1_000 + k * 37, Indexing: 20_000 + ((k * 7919) % 5_000) };
      if (k % 9 === 0)
        history.addChain([
          { startTime, status: 'interrupted', phaseDurations },
          { startTime: startTime + 60_000, phaseDurations },
        ]);
      else if (k % 7 === 0)
        history.add({
          startTime,
          status: 'failed',
          phaseDurations,
          error: { code: 'ETIMEDOUT', message: 'x' },
        });
      else history.add({ startTime, phaseDurations });
    }
    history.add({ startTime: now - 5 * HOUR, status: 'running', totalDuration: 60_000 });
  });
  closeTestStore(connection);
  handEdit(dbPath, `UPDATE sync_history SET phase_durations = '{oops' WHERE id % 11 = 3`);
  handEdit(dbPath, `UPDATE sync_history SET files_indexed = -1 WHERE id % 13 = 5`);
  // Back to the previous release's schema: without the indexes, without the records of 0004 and after.
  const db = new Database(dbPath);
  for (const name of NEW_INDEXES) db.exec(`DROP INDEX ${name}`);
  for (const statement of UNDO_LATEST_MIGRATION) db.exec(statement); // 0006's
  db.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(REPORT_INDEXES.folderMillis);
  db.close();
  return { dir, dbPath };
}

function reportAfterUpgrade(dir: string, projectId: string, now: number) {
  const warnings: StoreWarning[] = [];
  const clock = new ManualClock(now);
  const store = openProgressStore({
    projectId,
    dir,
    clock,
    autoMaintenance: false,
    onWarning: (warning) => warnings.push(warning),
  });
  try {
    return { report: store.metrics.report({ days: 30 }), warnings };
  } finally {
    store.close();
  }
}

function expectReference(report: HistoryReport, dbPath: string, projectId: string, now: number): void {
  const clock = new ManualClock(now);
  const expected = new ReportReference(dbPath, projectId).report(
    now,
    30,
    SystemZone.instance,
    (row) => !isOwnerAlive(row, clock, { staleAfterMs: 60_000 }),
  );
  const filled = report as FilledHistoryReport;
  expect(filled.empty).toBe(false);
  expect({
    success: filled.success,
    phases: filled.phases,
    meanTotalMs: filled.meanTotalMs,
    totalDuration: filled.totalDuration,
    rates: filled.rates,
    failures: {
      total: filled.failures.total,
      points: filled.failures.points.map((p) => [`${p.phase ?? ''}/${p.code}`, p.count]).sort(),
    },
    resources: filled.resources,
    peakUsage: filled.peakUsage,
    recent: filled.recent,
    anomalies: filled.anomalies,
  }).toEqual(expected);
}

describe('0004_report_indexes on a file of the previous schema', () => {
  const now = Date.UTC(2026, 10, 26, 9, 0, 0);

  it.each(['at open', 'by drizzle-kit migrate'])(
    'a history with damaged rows reports as its rows say, upgraded %s',
    async (migrator) => {
      const { dir, dbPath } = previousSchemaStore(now);
      expect(indexes(dbPath)).toEqual([]);
      if (migrator !== 'at open') expect(await drizzleKitMigrate(dbPath)).toMatchObject({ code: 0 });
      const { report, warnings } = reportAfterUpgrade(dir, 'acme-api', now);
      expect(indexes(dbPath)).toEqual([...NEW_INDEXES].sort());
      expectReference(report, dbPath, 'acme-api', now);
      const damaged = new Database(dbPath, { readonly: true })
        .prepare(`SELECT count(*) FROM sync_history WHERE id % 11 = 3 OR id % 13 = 5`)
        .pluck()
        .get() as number;
      expect(damaged).toBeGreaterThan(2);
      expect(warnings.filter((w) => w.code === 'CORRUPT')).toHaveLength(damaged);
      expect((report as FilledHistoryReport).success.interrupted).toBeGreaterThan(0);
    },
  );

  it.each(['at open', 'by drizzle-kit migrate'])(
    'the 0.1 fixture reports as its rows say, upgraded %s',
    async (migrator) => {
      const { dir, dbPath } = copyFixtureStore(tmp.join('fixture'));
      if (migrator !== 'at open') expect(await drizzleKitMigrate(dbPath)).toMatchObject({ code: 0 });
      const { report } = reportAfterUpgrade(dir, FIXTURE_PROJECT, FIXTURE_WALL);
      expect(indexes(dbPath)).toEqual([...NEW_INDEXES].sort());
      expectReference(report, dbPath, FIXTURE_PROJECT, FIXTURE_WALL);
    },
  );
});
