import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { pageDamage, structuralDamage } from '../../src/db/integrity';
import { handEdit } from '../support/hand-edit';
import { overwriteHeader, truncateFile, flipBytesInPage } from '../support/damage';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../support/progress-store';
import { listDir, useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

/** A store with one interrupted sync in it, closed. */
function storeWithHistory(): string {
  const { store } = openTestProgressStore(tmp.path);
  const sync = store.recording.startSync({ files: repoPaths(50) });
  sync.completeFiles(repoPaths(50).slice(0, 10));
  sync.flush();
  const path = store.path;
  closeTestProgressStore(store);
  return path;
}

describe('a damaged progress file at open', () => {
  it.each([
    ['a garbage header', overwriteHeader],
    ['a truncated file', (p: string) => truncateFile(p)],
    ['damaged pages', (p: string) => flipBytesInPage(p, 'sync_history')],
    [
      'a file that is not a database at all',
      (p: string) => fs.writeFileSync(p, 'this is a text file, not SQLite\n'.repeat(200)),
    ],
  ])('with %s is moved aside, replaced, reported, and the sync goes on', (_name, damage) => {
    const dbPath = storeWithHistory();
    damage(dbPath);
    const { store, warnings } = openTestProgressStore(tmp.path);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('.corrupt-') }),
    ]);
    const aside = listDir(tmp.path).filter((n) => /^acme-api\.db\.corrupt-\d+$/.test(n));
    expect(aside).toHaveLength(1);
    // The caller's sync carries on in the fresh file.
    const sync = store.recording.startSync({ files: ['a.ts'] });
    sync.completeFiles(['a.ts']);
    sync.finish();
    expect(store.resume.checkResumable()).toBeNull();
  });
});

describe('a row that breaks a CHECK rule (damaged row, not a damaged file)', () => {
  it.each([
    ['a status of bogus', `UPDATE sync_history SET status = 'bogus'`],
    ['a count of -5', `UPDATE checkpoints SET files_completed = -5`],
    ['a progress of 250', `UPDATE progress_updates SET overall_progress = 250`],
  ])('with %s: the file stays in place, with its resumable checkpoint elsewhere intact', (_name, edit) => {
    // The edit damages rows of an interrupted sync; the file itself is sound.
    const dbPath = storeWithHistory();
    expect(handEdit(dbPath, edit, { ignoreChecks: true })).toBeGreaterThan(0);
    const { store, warnings } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    expect(listDir(tmp.path).filter((n) => n.includes('.corrupt-'))).toEqual([]);
    expect(warnings.filter((w) => /replaced/.test(w.message))).toEqual([]);
    expect(() => store.resume.checkResumable()).not.toThrow();
    expect(() => store.status.list()).not.toThrow();
  });

  it('quick_check lines of CHECK and NOT NULL failures are not page damage; anything else is', () => {
    expect(pageDamage(['ok'])).toEqual([]);
    expect(
      pageDamage(['CHECK constraint failed in sync_history', 'NULL value in checkpoints.phase']),
    ).toEqual([]);
    expect(
      pageDamage([
        'CHECK constraint failed in sync_history',
        'Page 5: btreeInitPage() returns error code 11',
      ]),
    ).toEqual(['Page 5: btreeInitPage() returns error code 11']);
    expect(pageDamage(['row 3 missing from index sync_history_start_time_idx'])).toHaveLength(1);
  });
});

describe('the structural check', () => {
  it('is not hidden by more than 100 rows that break a CHECK rule, and leaves CHECK rules enforced after it', () => {
    const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const dbPath = store.path;
    closeTestProgressStore(store);
    const db = new BetterSqlite3(dbPath);
    db.pragma('ignore_check_constraints = ON');
    const insert = db.prepare(
      `INSERT INTO progress_updates (job_id, timestamp, elapsed_ms, phase, overall_progress, phase_progress, files_processed, total_files, rate) VALUES ('j', 1, 0, 'p', 250, 0, 0, 0, 0)`,
    );
    for (let i = 0; i < 150; i++) insert.run();
    db.pragma('ignore_check_constraints = OFF');
    expect((db.pragma('quick_check') as unknown[]).length).toBe(100);
    expect(structuralDamage(db)).toEqual([]);
    expect(() => insert.run()).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
