import BetterSqlite3 from 'better-sqlite3';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import type { ManualClock } from '../../support/manual-clock';
import { useTempDir } from '../../support/temp-dir';

/**
 * What decides whether an interrupted sync is offered and trusted: the age of its last
 * activity (not of its start), and a checkpoint whose every count matches its file log.
 */
const tmp = useTempDir();
const HOUR = 3_600_000;
const COMMIT = 'c0ffee0000000000000000000000000000000002';
const FILES = repoPaths(10);

function execSql(path: string, sql: string): void {
  const db = new BetterSqlite3(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const indexing = (percent: number, filesProcessed: number) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 0,
  filesProcessed,
  totalFiles: FILES.length,
  rate: 1,
});

/** A sync that starts, works for `workedMs`, completes 4 files and is interrupted (store closed). */
function interruptAfter(workedMs: number): { clock: ManualClock; path: string } {
  const opened = openTestProgressStore(tmp.path);
  const sync = opened.store.recording.startSync({ jobId: 'long', gitCommit: COMMIT, files: FILES });
  sync.update(indexing(46, 0));
  opened.clock.advance(workedMs);
  sync.completeFiles(FILES.slice(0, 4));
  sync.update(indexing(70, 4));
  const path = opened.store.path;
  closeTestProgressStore(opened.store);
  return { clock: opened.clock, path };
}

describe('the 24-hour window of a sync recorded on another boot', () => {
  it('counts from its last activity, not from its start', () => {
    const { clock, path } = interruptAfter(30 * HOUR); // started 30 h before it stopped
    // Recorded before a reboot: its monotonic times mean nothing now, only wall time can tell.
    execSql(path, "UPDATE sync_history SET owner_boot_id = 'a-boot-before-the-last-reboot'");
    clock.advance(HOUR);
    const { store } = openTestProgressStore(tmp.path, { clock });
    expect(store.resume.checkResumable()).toMatchObject({
      jobId: 'long',
      canResume: true,
      filesProcessed: 4,
    });
    // 24 h to the millisecond since its last activity: still inside the window; 1 ms more, out.
    clock.advance(23 * HOUR);
    expect(store.resume.checkResumable()?.jobId).toBe('long');
    clock.advance(1);
    expect(store.resume.checkResumable()).toBeNull();
  });
});

describe('a checkpoint whose counts do not match its file log', () => {
  it.each([
    ['pending', 'files_pending = files_pending + 1'],
    ['pending (fewer)', 'files_pending = files_pending - 1'],
    ['skipped', 'files_skipped = files_skipped + 1'],
    ['completed', 'files_completed = files_completed - 1'],
  ])('is never trusted when only its %s count is off', (_count, change) => {
    const { path } = interruptAfter(60_000);
    execSql(path, `UPDATE checkpoints SET ${change}`);
    const { store } = openTestProgressStore(tmp.path);
    const { plan } = store.resume.resume('long', { changes: [] });
    expect(plan).toMatchObject({ fullSyncRequired: true, filesSkipped: 0, filesToProcess: [] });
    expect(plan.reason).toMatch(/do not match its file log/);
  });

  it('is trusted when every count matches (the control for the cases above)', () => {
    interruptAfter(60_000);
    const { store } = openTestProgressStore(tmp.path);
    const { plan } = store.resume.resume('long', { changes: [] });
    expect(plan).toMatchObject({ fullSyncRequired: false, reason: null, filesSkipped: 4 });
    expect(plan.filesToProcess).toEqual(FILES.slice(4));
  });
});
