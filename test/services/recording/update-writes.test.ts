import { ValidationError } from '../../../src';
import { closeTestProgressStore, openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

const indexing = (percent: number, filesProcessed = 0) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: Math.max(0, ((percent - 45) / 45) * 100),
  filesProcessed,
  totalFiles: 1000,
  rate: 10,
});

function progressRows(store: Parameters<typeof rows>[0], jobId: string) {
  return rows<{ overall_progress: number; checkpoint_data: string | null; phase: string; timestamp: number }>(
    store,
    'SELECT * FROM progress_updates WHERE job_id = ? ORDER BY id',
    jobId,
  );
}

function checkpointSeq(store: Parameters<typeof rows>[0], jobId: string): number {
  return rows<{ seq: number }>(store, 'SELECT seq FROM checkpoints WHERE job_id = ?', jobId)[0]!.seq;
}

describe('SyncRecorder.update writes', () => {
  it('writes at most one progress row per throttle interval, keeping the latest state', () => {
    const { store, clock } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update(indexing(46)); // phase change: checkpoint + row
    for (let i = 0; i < 50; i++) {
      clock.advance(10);
      sync.update(indexing(46 + i * 0.01));
    }
    expect(progressRows(store, 'job-1')).toHaveLength(1);
    clock.advance(1000);
    sync.update(indexing(47));
    const written = progressRows(store, 'job-1');
    expect(written).toHaveLength(2);
    expect(written[1]!.overall_progress).toBe(47);
  });

  it('writes a checkpoint once per 5% boundary crossed: 66 -> 68 makes one, 65 twice makes one', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update(indexing(64));
    const afterPhaseChange = checkpointSeq(store, 'job-1');
    sync.update(indexing(65));
    expect(checkpointSeq(store, 'job-1')).toBe(afterPhaseChange + 1);
    clock.advance(10);
    sync.update(indexing(65));
    expect(checkpointSeq(store, 'job-1')).toBe(afterPhaseChange + 1);
    sync.update(indexing(66));
    sync.update(indexing(68));
    expect(checkpointSeq(store, 'job-1')).toBe(afterPhaseChange + 1);
    sync.update(indexing(70.5));
    expect(checkpointSeq(store, 'job-1')).toBe(afterPhaseChange + 2);
    // Jumping several boundaries at once is one checkpoint, not one per boundary.
    sync.update(indexing(86));
    expect(checkpointSeq(store, 'job-1')).toBe(afterPhaseChange + 3);
  });

  it('checkpoints at every phase change and records the phase with the row', () => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update({
      phase: 'Git Fetch',
      percent: 6,
      phasePercent: 4,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 1,
    });
    sync.update({
      phase: 'Git Merge',
      percent: 31,
      phasePercent: 1,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 1,
    });
    const trail = progressRows(store, 'job-1');
    expect(trail.map((r) => r.phase)).toEqual(['Git Fetch', 'Git Merge']);
    expect(trail.every((r) => r.checkpoint_data !== null)).toBe(true);
    expect(rows(store, 'SELECT phase FROM checkpoints')).toEqual([{ phase: 'Git Merge' }]);
  });

  it('checkpoints at a phase change that crosses no 5% boundary', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update({
      phase: 'Git Fetch',
      percent: 6,
      phasePercent: 4,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 1,
    });
    const before = checkpointSeq(store, 'job-1');
    clock.advance(10); // well inside the throttle interval: only the phase change can cause a write
    // 6% -> 8% stays in the 5-10% bucket; only the phase changes.
    sync.update({
      phase: 'Git Merge',
      percent: 8,
      phasePercent: 1,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 1,
    });
    expect(checkpointSeq(store, 'job-1')).toBe(before + 1);
    expect(rows(store, 'SELECT phase, overall_progress FROM checkpoints')).toEqual([
      { phase: 'Git Merge', overall_progress: 8 },
    ]);
    expect(progressRows(store, 'job-1').map((r) => r.phase)).toEqual(['Git Fetch', 'Git Merge']);
  });

  it('writes the latest unsaved state at the end', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update(indexing(46));
    clock.advance(5);
    sync.update(indexing(47, 12));
    sync.finish({ filesIndexed: 12 });
    const trail = progressRows(store, 'job-1');
    expect(trail[trail.length - 1]).toMatchObject({ overall_progress: 47 });
  });

  it.each([
    ['percent above 100', { percent: 101 }, 'percent'],
    ['NaN percent', { percent: Number.NaN }, 'percent'],
    ['infinite rate', { rate: Number.POSITIVE_INFINITY }, 'rate'],
    ['negative count', { filesProcessed: -1 }, 'filesProcessed'],
    ['fractional count', { totalFiles: 2.5 }, 'totalFiles'],
    ['more processed than total', { filesProcessed: 2000 }, 'filesProcessed'],
    ['unknown phase', { phase: 'Compiling' }, 'phase'],
    ['huge phase string', { phase: 'x'.repeat(10_000) }, 'phase'],
    ['unknown field', { extra: 1 }, ''],
  ])('rejects %s with a ValidationError naming the field, writing nothing', (_name, patch, field) => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    const before = rows(store, 'SELECT * FROM progress_updates');
    let caught: unknown;
    try {
      sync.update({ ...indexing(50), ...patch } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).code).toBe('VALIDATION');
    expect((caught as ValidationError).issues.map((i) => i.path)).toContain(field);
    expect(rows(store, 'SELECT * FROM progress_updates')).toEqual(before);
  });

  it('keeps records in order and durations non-negative when the wall clock jumps', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 1000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update(indexing(46));
    clock.advance(2000);
    clock.jumpWall(-3_600_000);
    sync.update(indexing(47));
    clock.advance(2000);
    clock.jumpWall(24 * 3_600_000);
    sync.update(indexing(48));
    clock.advance(2000);
    sync.finish();
    const times = progressRows(store, 'job-1').map((r) => r.timestamp);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const [history] = rows<{
      total_duration: number;
      phase_durations: string;
      start_time: number;
      end_time: number;
    }>(store, 'SELECT * FROM sync_history');
    expect(history!.total_duration).toBe(6000);
    expect(history!.end_time - history!.start_time).toBe(6000);
    for (const ms of Object.values(JSON.parse(history!.phase_durations) as Record<string, number>)) {
      expect(ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('takes files processed above a total of 0 (a total not known yet), and refuses them above a known total', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update({ ...indexing(50, 12), totalFiles: 0 });
    expect(rows(store, 'SELECT files_processed, total_files FROM progress_updates')).toEqual([
      { files_processed: 12, total_files: 0 },
    ]);
    expect(() => sync.update({ ...indexing(60, 13), totalFiles: 12 })).toThrow(ValidationError);
  });

  it('writes nothing more when the store closes after everything was written', () => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    store.recording.startSync({ jobId: 'job-1' }).update(indexing(46));
    const before = rows(store, 'SELECT * FROM progress_updates');
    expect(checkpointSeq(store, 'job-1')).toBe(1);
    closeTestProgressStore(store);
    expect(rows(store, 'SELECT * FROM progress_updates')).toEqual(before);
    expect(checkpointSeq(store, 'job-1')).toBe(1);
  });

  it('times records from the start of the sync, not of the clock', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    clock.advance(10_000); // the process ran a while before the sync started
    const sync = store.recording.startSync({ jobId: 'job-1' });
    clock.advance(1500);
    sync.update(indexing(46));
    const start = rows<{ start_time: number }>(store, 'SELECT start_time FROM sync_history')[0]!.start_time;
    expect(progressRows(store, 'job-1').map((r) => r.timestamp - start)).toEqual([1500]);
  });

  it('writes nothing for a sync only started, when reported within its phase and 5% band or when the store closes', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    clock.advance(1000);
    sync.update({
      phase: 'Initializing',
      percent: 1,
      phasePercent: 50,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 0,
    });
    expect(checkpointSeq(store, 'job-1')).toBe(0);
    expect(progressRows(store, 'job-1')).toHaveLength(1);
    const quiet = store.recording.startSync({ jobId: 'job-2' });
    closeTestProgressStore(store);
    expect(quiet.status).not.toBe('recording');
    expect(checkpointSeq(store, 'job-2')).toBe(0);
    expect(progressRows(store, 'job-2')).toEqual([]);
  });

  it('refuses a phase the sync does not have and a percent over 100, naming the call', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'job-1' });
    expect(() => sync.update({ ...indexing(46), phase: 'Nope' })).toThrow(
      'update: phase: unknown phase "Nope"',
    );
    expect(() => sync.update({ ...indexing(46), percent: 101 })).toThrow(/^update: percent: /);
  });

  it("keeps the caller's checkpoint data in later checkpoints until new data is given", () => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update({ ...indexing(46), checkpointData: { cursor: 1 } });
    sync.update(indexing(51)); // a boundary crossed: a checkpoint, no new data
    expect(checkpointSeq(store, 'job-1')).toBe(2);
    const [row] = rows<{ metadata: string }>(store, 'SELECT metadata FROM checkpoints');
    expect(JSON.parse(row!.metadata).caller).toEqual({ cursor: 1 });
  });

  it('saves a report held back by the throttle when the store closes', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    clock.advance(1000);
    sync.update({
      phase: 'Initializing',
      percent: 3,
      phasePercent: 60,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 0,
    });
    expect(progressRows(store, 'job-1')).toEqual([]);
    closeTestProgressStore(store);
    expect(progressRows(store, 'job-1').map((r) => r.overall_progress)).toEqual([3]);
  });

  it('does not take the same percent reported again for going back', () => {
    const { store, warnings } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    sync.update(indexing(46));
    sync.update(indexing(46));
    expect(warnings).toEqual([]);
  });

  it('counts the throttle interval from the last write, also late in a sync; a refused planFiles names itself', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 1000 });
    const sync = store.recording.startSync({ jobId: 'job-1' });
    clock.advance(5000);
    sync.update(indexing(46)); // the phase change: written at 5000
    clock.advance(500);
    sync.update(indexing(47)); // too soon
    expect(progressRows(store, 'job-1')).toHaveLength(1);
    sync.planFiles(['a.ts']);
    expect(() => sync.planFiles('a.ts' as never)).toThrow(/^planFiles: must be an array of paths/);
  });

  it('names the call in each refusal and in the repeated-files warning', () => {
    const { store, warnings } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'job-1' });
    expect(() => sync.completeFiles('a.ts' as never)).toThrow(/^completeFiles: /);
    expect(() => sync.skipFiles('a.ts' as never)).toThrow(/^skipFiles: /);
    expect(() => sync.finish({ colour: 1 } as never)).toThrow(/^finish: /);
    expect(() => sync.cancel(42 as never)).toThrow(/^cancel: /);
    sync.skipFiles(['a.ts', 'a.ts']);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('skipFiles() named 1 file')]);
  });
});
