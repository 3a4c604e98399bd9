import fs from 'node:fs';
import Database from 'better-sqlite3';
import {
  CHANGES_AFTER_B,
  FIXTURE_EXPECTED,
  FIXTURE_PROJECT,
  FIXTURE_WALL,
  type FixturePlanSummary,
  LINEAGE_JOB,
  resumeFixture,
} from '../fixtures/make-v0.1-fixture';
import { openProgressStore } from '../../src';
import { LEGACY_FILE_LOG_TABLE } from '../../src/db/legacy-file-log';
import { ManualClock } from '../support/manual-clock';
import { useTempDir } from '../support/temp-dir';
import { copyFixtureStore, drizzleKitMigrate } from '../support/upgrade';

/**
 * A project file written by release 0.1 (test/fixtures/v0.1-store.db, made by
 * make-v0.1-fixture.ts on the 0.1 code) keeps its resumable checkpoint through the file
 * log's new layout, with exactly the plan 0.1 gave, whichever migrator upgrades it.
 */
const expected = JSON.parse(fs.readFileSync(FIXTURE_EXPECTED, 'utf8')) as Record<
  'noChanges' | 'withChanges',
  FixturePlanSummary
>;

function tables(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

function count(dbPath: string, sql: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('upgrading a 0.1 file keeps its resumable checkpoint', () => {
  const tmp = useTempDir();

  const copyFixture = () => copyFixtureStore(tmp.join('store'));

  it('the fixture is a 0.1 file: newline-joined text paths, no ordinals', () => {
    const { dbPath } = copyFixture();
    expect(tables(dbPath)).toContain('checkpoint_files');
    expect(
      count(dbPath, "SELECT count(*) FROM pragma_table_info('checkpoint_files') WHERE name = 'paths'"),
    ).toBe(1);
    expect(count(dbPath, 'SELECT count(DISTINCT kind) FROM checkpoint_files')).toBe(5);
  });

  it.each([
    ['noChanges', [] as typeof CHANGES_AFTER_B],
    ['withChanges', CHANGES_AFTER_B],
  ] as const)('migrated by the store at open: the same plan as 0.1 (%s)', (name, changes) => {
    const { dir, dbPath } = copyFixture();
    expect(resumeFixture(dir, [...changes])).toEqual(expected[name]);
    expect(tables(dbPath)).not.toContain(LEGACY_FILE_LOG_TABLE);
    expect(
      count(dbPath, "SELECT count(*) FROM pragma_table_info('checkpoint_files') WHERE name = 'data'"),
    ).toBe(1);
  });

  it.each([
    ['noChanges', [] as typeof CHANGES_AFTER_B],
    ['withChanges', CHANGES_AFTER_B],
  ] as const)(
    'migrated by `drizzle-kit migrate`, then opened: the same plan as 0.1 (%s)',
    async (name, changes) => {
      const { dir, dbPath } = copyFixture();
      const kit = await drizzleKitMigrate(dbPath);
      expect(kit).toMatchObject({ code: 0 });
      // drizzle-kit ran the SQL half: the 0.1 rows are kept aside, not yet converted.
      expect(tables(dbPath)).toContain(LEGACY_FILE_LOG_TABLE);
      expect(
        count(dbPath, `SELECT count(*) FROM ${LEGACY_FILE_LOG_TABLE} WHERE lineage_id = '${LINEAGE_JOB}'`),
      ).toBe(14);
      expect(count(dbPath, 'SELECT count(*) FROM checkpoint_files')).toBe(0);

      expect(resumeFixture(dir, [...changes])).toEqual(expected[name]);
      expect(tables(dbPath)).not.toContain(LEGACY_FILE_LOG_TABLE);
    },
  );

  it('leaves out a 0.1 lineage whose log does not replay: its resume then requires a full sync, and says why', () => {
    const { dir, dbPath } = copyFixture();
    const db = new Database(dbPath);
    db.prepare("UPDATE checkpoint_files SET paths = 'never/planned.ts' WHERE kind = 'reopened'").run();
    db.close();
    const store = openProgressStore({
      projectId: FIXTURE_PROJECT,
      dir,
      clock: new ManualClock(FIXTURE_WALL),
      autoMaintenance: false,
      onWarning: () => {},
    });
    try {
      const info = store.resume.checkResumable()!;
      const { plan, sync } = store.resume.resume(info.jobId);
      expect(plan).toMatchObject({
        fullSyncRequired: true,
        reason: expect.stringMatching(/do not match its file log \(0\/0\/0\)/),
      });
      sync.release();
    } finally {
      store.close();
    }
    expect(count(dbPath, 'SELECT count(*) FROM checkpoint_files')).toBe(0);
    expect(tables(dbPath)).not.toContain(LEGACY_FILE_LOG_TABLE);
  });
});
