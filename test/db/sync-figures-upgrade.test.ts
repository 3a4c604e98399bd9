import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openProgressStore } from '../../src';
import { FIXTURE_PROJECT, FIXTURE_WALL } from '../fixtures/make-v0.1-fixture';
import { handEdit } from '../support/hand-edit';
import { HistoryFactory } from '../support/history-factory';
import { ManualClock } from '../support/manual-clock';
import { recordFiguresAgain } from '../support/record-figures-again';
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
 * 0006_sync_figures adds the table of completed syncs' figures and fills it for the syncs
 * the file holds. Whichever migrator upgrades a file of the previous schema, the rows are
 * those the current code records (RECORD_MISSING_FIGURES, which the migration spells out),
 * odd rows included, and the report reads them.
 */
const tmp = useTempDir();
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 26, 9, 0, 0);
const SYNC_FIGURES = SHIPPED_MIGRATIONS[SHIPPED_TAGS.indexOf('0006_sync_figures')]!;

/** The job ids of the chain whose earlier runs hold durations near 2^63. */
let huge: string[] = [];

/** Chains, failures, odd and damaged phase durations, at the schema before 0006. */
function previousSchemaStore(): { dir: string; dbPath: string } {
  const dir = tmp.join('store');
  fs.mkdirSync(dir, { mode: 0o700 });
  const dbPath = path.join(dir, 'acme-api.db');
  const connection = openTestStore(dbPath);
  const history = new HistoryFactory(connection);
  history.batch(() => {
    for (let k = 0; k < 60; k++) {
      const startTime = NOW - 20 * DAY + k * 7 * HOUR;
      const phaseDurations = { Fetch: 1_000 + k * 37, Indexing: 20_000 + ((k * 7919) % 5_000) };
      if (k % 9 === 0)
        history.addChain([
          { startTime, status: 'failed', phaseDurations },
          { startTime: startTime + 60_000, phaseDurations: { Indexing: k } },
        ]);
      else if (k % 7 === 0) history.add({ startTime, status: 'failed', phaseDurations });
      else history.add({ startTime, phaseDurations });
    }
    // A chain whose two earlier runs get durations near 2^63 below: SUM() of them would overflow.
    huge = history.addChain([
      { startTime: NOW - 2 * DAY, status: 'failed' },
      { startTime: NOW - 2 * DAY + 60_000, status: 'failed' },
      { startTime: NOW - 2 * DAY + 120_000 },
    ]);
  });
  closeTestStore(connection);
  handEdit(dbPath, `UPDATE sync_history SET phase_durations = '[1, 2]' WHERE id % 13 = 4`);
  handEdit(
    dbPath,
    `UPDATE sync_history SET phase_durations = '{"Fetch": 3, "Indexing": -5, "Indexing": 7, "Slow": "x"}' WHERE id % 5 = 2`,
  );
  handEdit(
    dbPath,
    `UPDATE sync_history SET phase_durations = '{"Fetch": 0.25, "Indexing": 7}' WHERE id % 5 = 1`,
  );
  handEdit(
    dbPath,
    'UPDATE sync_history SET total_duration = 4611686018427387904 WHERE job_id IN (?, ?)',
    {},
    huge[0],
    huge[1],
  );
  // Damage last, so no later edit mends it.
  handEdit(dbPath, `UPDATE sync_history SET phase_durations = '{oops' WHERE id % 11 = 3`);
  handEdit(dbPath, `UPDATE sync_history SET total_duration = 'long' WHERE id % 17 = 2`);
  // That chain's last run kept sound whatever the edits above touched.
  handEdit(
    dbPath,
    `UPDATE sync_history SET total_duration = 500, phase_durations = '{"Indexing": 500}' WHERE job_id = ?`,
    {},
    huge[2],
  );
  const db = new Database(dbPath);
  for (const statement of UNDO_LATEST_MIGRATION) db.exec(statement);
  db.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(SYNC_FIGURES.folderMillis);
  db.close();
  return { dir, dbPath };
}

async function upgrade(migrator: string, dir: string, projectId: string, now: number): Promise<void> {
  if (migrator !== 'at open') {
    expect(await drizzleKitMigrate(path.join(dir, `${projectId}.db`))).toMatchObject({ code: 0 });
  }
  openProgressStore({
    projectId,
    dir,
    clock: new ManualClock(now),
    autoMaintenance: false,
    onWarning: () => {},
  }).close();
}

function figureRows(dbPath: string): unknown[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT * FROM sync_figures ORDER BY sync_id').all();
  } finally {
    db.close();
  }
}

/** The rows the current code records for the same history, on a copy of the file. */
function recordedNow(dbPath: string): unknown[] {
  const copy = tmp.join(`copy-${path.basename(dbPath)}`);
  fs.copyFileSync(dbPath, copy);
  recordFiguresAgain(copy);
  return figureRows(copy);
}

function report(dir: string, projectId: string, now: number) {
  const store = openProgressStore({
    projectId,
    dir,
    clock: new ManualClock(now),
    autoMaintenance: false,
    onWarning: () => {},
  });
  try {
    return store.metrics.report({ days: 30 });
  } finally {
    store.close();
  }
}

describe('0006_sync_figures on a file of the previous schema', () => {
  it.each(['at open', 'by drizzle-kit migrate'])(
    'records the figures the current code records, odd rows included, upgraded %s',
    async (migrator) => {
      const { dir, dbPath } = previousSchemaStore();
      await upgrade(migrator, dir, 'acme-api', NOW);
      const rows = figureRows(dbPath);
      const window = new Database(dbPath, { readonly: true })
        .prepare(`SELECT name FROM sqlite_master WHERE name = 'sync_history_window_idx'`)
        .pluck()
        .all();
      expect(window).toEqual(['sync_history_window_idx']);
      const db = new Database(dbPath, { readonly: true });
      const ids = (where: string) =>
        db
          .prepare(`SELECT id FROM sync_history WHERE status = 'completed' AND ${where}`)
          .pluck()
          .all() as number[];
      const recorded = (rows as { sync_id: number }[]).map((row) => row.sync_id);
      // Damaged rows have none; nor has a sync with a fraction of a millisecond (a hand edit):
      // the report computes the windows that hold one.
      const mended = `job_id != '${huge[2]}'`;
      const damaged = ids(`(id % 11 = 3 OR id % 17 = 2) AND ${mended}`);
      const fractional = ids(`id % 5 = 1 AND ${mended}`);
      expect(damaged.length).toBeGreaterThan(0);
      expect(fractional.length).toBeGreaterThan(0);
      expect(recorded.filter((id) => damaged.includes(id) || fractional.includes(id))).toEqual([]);
      expect(recorded.length).toBeGreaterThan(ids('1').length / 2);
      // The chain whose earlier runs' durations would overflow a sum is in the file, and the
      // migration went through it (its figures, if its last run is sound, are in the
      // comparison with the current code below).
      expect(
        db
          .prepare('SELECT count(*) FROM sync_history WHERE total_duration = 4611686018427387904')
          .pluck()
          .get(),
      ).toBe(2);
      // Odd values left out, a key written twice read once (its last value), as the report reads them.
      const odd = ids('id % 5 = 2 AND id % 11 != 3 AND id % 17 != 2 AND resumed_from_job_id IS NULL')[0]!;
      expect(rows).toContainEqual(
        expect.objectContaining({ sync_id: odd, phase_names: '["Fetch","Indexing"]' }),
      );
      db.close();
      expect(rows).toEqual(recordedNow(dbPath));
      // The report reads them, and they give what computing from sync_history gives.
      const fromRecorded = report(dir, 'acme-api', NOW);
      recordFiguresAgain(dbPath, { clear: true });
      expect(fromRecorded).toEqual(report(dir, 'acme-api', NOW));
    },
  );

  it.each(['at open', 'by drizzle-kit migrate'])(
    'fills them for the 0.1 fixture, upgraded %s',
    async (migrator) => {
      const { dir, dbPath } = copyFixtureStore(tmp.join('fixture'));
      await upgrade(migrator, dir, FIXTURE_PROJECT, FIXTURE_WALL);
      const rows = figureRows(dbPath);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual(recordedNow(dbPath));
    },
  );
});
