import { openTestProgressStore, repoPaths, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import { DAY, hasCheckpoint, HOUR, seed, statusOf, tableCounts } from './retention-fixtures';

const tmp = useTempDir();

function open(options: Parameters<typeof openTestProgressStore>[1] = {}) {
  return openTestProgressStore(tmp.path, { autoMaintenance: false, ...options });
}

describe('checkpoints older than 7 days', () => {
  it('are kept at exactly 7 days and deleted just over, with their file log', () => {
    const { store, clock } = open({ resumeWindowMs: HOUR });
    const now = clock.now();
    // The checkpoint is written at the last trail row: start + (rows - 1) s.
    const at = (age: number) => now - age;
    seed(
      store,
      { jobId: 'exactly-7d', start: at(7 * DAY), trailRows: 1, outcome: 'failed', checkpointFiles: 50 },
      { jobId: 'just-under', start: at(7 * DAY - 1), trailRows: 1, outcome: 'failed', checkpointFiles: 50 },
      { jobId: 'just-over', start: at(7 * DAY + 1), trailRows: 1, outcome: 'failed', checkpointFiles: 50 },
    );
    const report = store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'exactly-7d')).toBe(true);
    expect(hasCheckpoint(store, 'just-under')).toBe(true);
    expect(hasCheckpoint(store, 'just-over')).toBe(false);
    expect(report.removed.checkpoints.rows).toBe(1);
    // Its file log (planned + completed rows) went with it; the others' stayed.
    expect(report.removed.checkpointFiles.rows).toBe(2);
    expect(tableCounts(store).fileLog).toBe(4);
    expect(report.removed.checkpointFiles.bytes).toBeGreaterThan(50 * 10);
    // The sync row itself is history, kept for 30 days.
    expect(statusOf(store, 'just-over')).toBe('failed');
  });

  it('marks a sync still `running` with its owner gone as interrupted when its checkpoint goes', () => {
    const { store, clock } = open();
    seed(store, {
      jobId: 'killed',
      start: clock.now() - 8 * DAY,
      trailRows: 10,
      outcome: 'killed',
      checkpointFiles: 20,
    });
    const report = store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'killed')).toBe(false);
    expect(statusOf(store, 'killed')).toBe('interrupted');
    expect(report.syncsInterrupted).toBe(1);
  });

  it('never deletes the checkpoint of a running sync, however old', () => {
    const { store, clock } = open();
    const sync = store.recording.startSync({ jobId: 'live', files: repoPaths(30) });
    // Eight days pass with heartbeats but no checkpoint (no 5% boundary crossed).
    for (let day = 0; day < 8; day++) {
      clock.advance(DAY);
      sync.update({
        phase: 'Initializing',
        percent: 1,
        phasePercent: 1,
        filesProcessed: 0,
        totalFiles: 30,
        rate: 0,
      });
    }
    const report = store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'live')).toBe(true);
    expect(statusOf(store, 'live')).toBe('running');
    expect(report.checkpointsKept).toBe(1);
    sync.finish();
  });

  it('never deletes the checkpoint of a still-resumable sync (resume window longer than 7 days)', () => {
    const { store, clock } = open({ resumeWindowMs: 10 * DAY });
    seed(
      store,
      {
        jobId: 'resumable',
        start: clock.now() - 9 * DAY,
        trailRows: 1,
        outcome: 'cancelled',
        checkpointFiles: 5,
      },
      {
        jobId: 'out-of-window',
        start: clock.now() - 11 * DAY,
        trailRows: 1,
        outcome: 'killed',
        checkpointFiles: 5,
      },
    );
    const report = store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'resumable')).toBe(true);
    expect(hasCheckpoint(store, 'out-of-window')).toBe(false);
    expect(report.checkpointsKept).toBe(1);
    expect(store.resume.resume('resumable').plan.fullSyncRequired).toBe(false);
  });

  it("removes a resumed lineage's file log with the last checkpoint that builds on it", () => {
    const { store, clock } = open();
    const old = store.recording.startSync({ jobId: 'old', files: repoPaths(40) });
    old.completeFiles(repoPaths(40).slice(0, 10));
    old.fail('network down');
    clock.advance(HOUR);
    const { sync } = store.resume.resume('old', { changes: [] });
    sync.fail('network down again');
    // The resume took the lineage over: only the resuming sync's checkpoint is left.
    clock.advance(8 * DAY);
    expect(tableCounts(store).checkpoints).toBe(1);
    store.retention.runMaintenance();
    expect(tableCounts(store)).toMatchObject({ checkpoints: 0, fileLog: 0 });
  });

  it('keeps a lineage file log while a newer checkpoint still builds on it', () => {
    const { store, clock } = open({ resumeWindowMs: HOUR });
    seed(
      store,
      { jobId: 'a', start: clock.now() - 9 * DAY, trailRows: 1, outcome: 'failed', checkpointFiles: 30 },
      { jobId: 'b', start: clock.now() - 2 * DAY, trailRows: 1, outcome: 'failed' },
    );
    const { repos } = storeInternals(store);
    repos.checkpoints.upsert({
      ...repos.checkpoints.findByJobId('a')!,
      jobId: 'b',
      updatedAt: clock.now() - 2 * DAY,
    });
    expect(store.retention.runMaintenance({ dryRun: true }).removed).toMatchObject({
      checkpoints: { rows: 1 },
      checkpointFiles: { rows: 0 },
    });
    const report = store.retention.runMaintenance();
    expect(hasCheckpoint(store, 'a')).toBe(false);
    expect(hasCheckpoint(store, 'b')).toBe(true);
    expect(report.removed.checkpointFiles.rows).toBe(0);
    expect(tableCounts(store).fileLog).toBe(2);
  });
});
