import { ConflictError, StoreClosedError, ValidationError } from '../../../src';
import { closeTestProgressStore, openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

interface HistoryRow {
  status: string;
  total_duration: number;
  phase_durations: string;
  files_indexed: number;
  files_changed: number;
  bytes_processed: number;
  errors: string | null;
  peak_memory_bytes: number;
  mean_cpu_percent: number;
  owner_pid: number | null;
  end_time: number;
}

const history = (store: Parameters<typeof rows>[0]) =>
  rows<HistoryRow>(store, 'SELECT * FROM sync_history')[0]!;

describe('a sync from start to end', () => {
  it('is resumable from the moment it starts: row, owner and checkpoint 0 with the planned files', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ gitCommit: 'abc1234'.padEnd(40, '0'), files: repoPaths(30) });
    expect(sync.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows(store, 'SELECT job_id, seq, files_pending FROM checkpoints')).toEqual([
      { job_id: sync.jobId, seq: 0, files_pending: 30 },
    ]);
    expect(rows(store, 'SELECT status, owner_pid FROM sync_history')).toEqual([
      { status: 'running', owner_pid: process.pid },
    ]);
  });

  it('records per-phase and total durations from the monotonic clock, and the outcome', () => {
    const { store, clock } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ files: repoPaths(10) });
    clock.advance(1000);
    sync.update({
      phase: 'Git Fetch',
      percent: 5,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 10,
      rate: 0,
    });
    clock.advance(4000);
    sync.update({
      phase: 'Indexing Files',
      percent: 45,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 10,
      rate: 0,
    });
    sync.completeFiles(repoPaths(10));
    clock.advance(2500);
    sync.update({
      phase: 'Indexing Files',
      percent: 100,
      phasePercent: 100,
      filesProcessed: 10,
      totalFiles: 10,
      rate: 4,
    });
    sync.finish({ filesChanged: 3, bytesProcessed: 123_456 });
    const row = history(store);
    expect(row).toMatchObject({
      status: 'completed',
      total_duration: 7500,
      files_indexed: 10,
      files_changed: 3,
      bytes_processed: 123_456,
      owner_pid: null,
    });
    expect(JSON.parse(row.phase_durations)).toEqual({
      Initializing: 1000,
      'Git Fetch': 4000,
      'Indexing Files': 2500,
    });
    // The probe reports 0.5 ms of CPU per ms: 50% of one core, 100 MB resident.
    expect(row.mean_cpu_percent).toBe(50);
    expect(row.peak_memory_bytes).toBe(100_000_000);
    expect(sync.status).toBe('completed');
  });

  it('drops the checkpoint and its file log once the sync completes', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ files: repoPaths(5) });
    sync.completeFiles(repoPaths(5));
    sync.flush();
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoint_files')[0]).toEqual({ n: 2 });
    sync.finish();
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoints')[0]).toEqual({ n: 0 });
    expect(rows(store, 'SELECT count(*) AS n FROM checkpoint_files')[0]).toEqual({ n: 0 });
  });

  it('keeps the checkpoint, with every file reported, when the sync fails or is cancelled', () => {
    const { store } = openTestProgressStore(tmp.path);
    const failing = store.recording.startSync({ jobId: 'failing', files: repoPaths(4) });
    failing.completeFiles(repoPaths(4).slice(0, 3));
    failing.fail({ message: 'Network timeout', code: 'ETIMEDOUT', phase: 'Git Fetch' });
    const cancelled = store.recording.startSync({ jobId: 'cancelled', files: repoPaths(4, 'lib') });
    cancelled.skipFiles(['lib/module-0/file-0.ts']);
    cancelled.cancel('user pressed Ctrl-C');
    expect(
      rows(store, 'SELECT job_id, files_completed, files_skipped FROM checkpoints ORDER BY job_id'),
    ).toEqual([
      { job_id: 'cancelled', files_completed: 0, files_skipped: 1 },
      { job_id: 'failing', files_completed: 3, files_skipped: 0 },
    ]);
    const errors = rows<{ job_id: string; status: string; errors: string }>(
      store,
      'SELECT job_id, status, errors FROM sync_history ORDER BY id',
    );
    expect(errors.map((r) => r.status)).toEqual(['failed', 'cancelled']);
    expect(JSON.parse(errors[0]!.errors)[0]).toMatchObject({
      code: 'ETIMEDOUT',
      phase: 'Git Fetch',
      message: 'Network timeout',
    });
    expect(JSON.parse(errors[1]!.errors)[0]).toMatchObject({
      code: 'CANCELLED',
      message: 'user pressed Ctrl-C',
    });
  });

  it('takes an Error or a message as a failure', () => {
    const { store } = openTestProgressStore(tmp.path);
    const a = store.recording.startSync({ jobId: 'a' });
    a.fail(Object.assign(new Error('disk on fire'), { code: 'EIO' }));
    const b = store.recording.startSync({ jobId: 'b' });
    b.fail('plain message');
    const errors = rows<{ errors: string }>(store, 'SELECT errors FROM sync_history ORDER BY id').map(
      (r) => JSON.parse(r.errors)[0],
    );
    expect(errors[0]).toMatchObject({ code: 'EIO', message: 'disk on fire', phase: 'Initializing' });
    expect(errors[1]).toMatchObject({ code: 'ERROR', message: 'plain message' });
  });

  it('refuses a job id used before, and a different end for a sync that has ended', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'abc-123-def' });
    sync.finish();
    expect(() => sync.fail('too late')).toThrow(ConflictError);
    expect(() => store.recording.startSync({ jobId: 'abc-123-def' })).toThrow(ConflictError);
  });

  it('starts a resumed sync where its checkpoint stood: progress, and files completed and skipped', () => {
    const { store } = openTestProgressStore(tmp.path);
    const first = store.recording.startSync({ jobId: 'first', files: repoPaths(10) });
    first.update({
      phase: 'Indexing Files',
      percent: 40,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 10,
      rate: 0,
    });
    first.completeFiles(repoPaths(10).slice(0, 3));
    first.skipFiles(repoPaths(10).slice(3, 5));
    first.fail('Network timeout');
    const { sync } = store.resume.resume('first');
    expect(
      rows(store, 'SELECT overall_progress, files_processed FROM sync_history WHERE job_id = ?', sync.jobId),
    ).toEqual([{ overall_progress: 40, files_processed: 5 }]);
    sync.finish(); // no report since the resume: ends with the files the checkpoint had
    expect(rows(store, 'SELECT files_processed FROM sync_history WHERE job_id = ?', sync.jobId)).toEqual([
      { files_processed: 5 },
    ]);
  });

  it("keeps the caller's metadata with the sync and with its first checkpoint", () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ jobId: 'with-meta', metadata: { branch: 'main' } });
    const [history] = rows<{ metadata: string }>(store, 'SELECT metadata FROM sync_history');
    const [checkpoint] = rows<{ metadata: string }>(store, 'SELECT metadata FROM checkpoints');
    expect(JSON.parse(history!.metadata)).toEqual({ branch: 'main' });
    expect(JSON.parse(checkpoint!.metadata)).toEqual({
      metrics: { rate: 0, memoryUsage: 0, cpuPercent: 0 },
      caller: { branch: 'main' },
    });
  });

  it('goes on from the phase its checkpoint was in: an earlier phase reported after the resume is going back', () => {
    const { store, warnings } = openTestProgressStore(tmp.path);
    const first = store.recording.startSync({ jobId: 'first', files: repoPaths(4) });
    first.update({
      phase: 'Indexing Files',
      percent: 40,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 4,
      rate: 0,
    });
    first.fail('Network timeout');
    const { sync } = store.resume.resume('first');
    sync.update({
      phase: 'Initializing',
      percent: 41,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 4,
      rate: 0,
    });
    expect(warnings.map((w) => w.code)).toContain('WENT_BACKWARDS');
  });

  it('says why a start is refused: startSync, the file list (as files), a job id taken', () => {
    const { store } = openTestProgressStore(tmp.path);
    expect(() => store.recording.startSync({ colour: 'blue' } as never)).toThrow(/^startSync: /);
    expect(() => store.recording.startSync({ files: ['a.ts', '/abs'] })).toThrow(/^file list: files\.1: /);
    store.recording.startSync({ jobId: 'abc-123-def' });
    expect(() => store.recording.startSync({ jobId: 'abc-123-def' })).toThrow(
      'a sync with job id abc-123-def already exists',
    );
  });

  it('validates the start: bad paths, duplicate files, bad commit, unknown options', () => {
    const { store } = openTestProgressStore(tmp.path);
    for (const bad of [
      { files: ['/etc/passwd'] },
      { files: ['src/../../x'] },
      { files: ['a.ts', 'a.ts'] },
      { files: ['nul\0byte'] },
      { files: 'a.ts' },
      { files: ['a.ts', 42] },
      { gitCommit: 'not-a-commit; rm -rf /' },
      { gitCommit: 'HEAD' },
      { gitCommit: 'abc1234' }, // abbreviated: names another commit once the repository grows
      { jobId: '../escape' },
      { phases: [] },
      {
        phases: [
          { name: 'A', weight: 0.5 },
          { name: 'A', weight: 0.5 },
        ],
      },
      { colour: 'blue' },
    ]) {
      expect(() => store.recording.startSync(bad as never)).toThrow(ValidationError);
    }
    expect(rows(store, 'SELECT count(*) AS n FROM sync_history')[0]).toEqual({ n: 0 });
  });

  it('plans files later and saves completed ones with the next checkpoint', () => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({
      jobId: 'j',
      phases: [
        { name: 'Detect', weight: 0.2 },
        { name: 'Index', weight: 0.8 },
      ],
    });
    sync.planFiles(['a.ts', 'b.ts', 'c.ts']);
    sync.update({ phase: 'Index', percent: 20, phasePercent: 0, filesProcessed: 0, totalFiles: 3, rate: 0 });
    sync.completeFiles(['a.ts']);
    expect(rows(store, 'SELECT files_completed FROM checkpoints')).toEqual([{ files_completed: 0 }]);
    sync.update({ phase: 'Index', percent: 47, phasePercent: 33, filesProcessed: 1, totalFiles: 3, rate: 1 });
    expect(rows(store, 'SELECT files_completed, files_pending FROM checkpoints')).toEqual([
      { files_completed: 1, files_pending: 2 },
    ]);
    expect(sync.files).toEqual({ pending: 2, completed: 1, skipped: 0 });
    expect(() => sync.planFiles(['a.ts'])).toThrow(ValidationError);
  });

  it('gives up ownership on close, so the sync is offered for resume at once', () => {
    const first = openTestProgressStore(tmp.path);
    const sync = first.store.recording.startSync({ files: repoPaths(3) });
    sync.completeFiles(repoPaths(3).slice(0, 1));
    expect(first.store.resume.checkResumable()).toBeNull();
    closeTestProgressStore(first.store);
    expect(sync.status).toBe('detached');
    expect(() => sync.completeFiles(['x.ts'])).not.toThrow(); // ignored, with a warning
    expect(() => sync.finish()).toThrow(StoreClosedError);
    const second = openTestProgressStore(tmp.path, { clock: first.clock });
    expect(second.store.resume.checkResumable()).toMatchObject({
      jobId: sync.jobId,
      filesProcessed: 1,
      totalFiles: 3,
    });
  });
});

describe('a sync whose process dies', () => {
  it('keeps its phase durations up to its last checkpoint', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { throttleMs: 60_000 });
    const sync = store.recording.startSync({ jobId: 'dies' });
    clock.advance(1500);
    sync.update({
      phase: 'Git Fetch',
      percent: 5,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 0,
    });
    clock.advance(2500);
    sync.update({
      phase: 'Git Merge',
      percent: 30,
      phasePercent: 0,
      filesProcessed: 0,
      totalFiles: 0,
      rate: 0,
    });
    clock.advance(700); // work after the last checkpoint is not in it
    const row = rows<{ phase_durations: string; total_duration: number | null }>(
      store,
      'SELECT phase_durations, total_duration FROM sync_history',
    )[0]!;
    expect(JSON.parse(row.phase_durations)).toEqual({
      Initializing: 1500,
      'Git Fetch': 2500,
      'Git Merge': 0,
    });
    expect(row.total_duration).toBeNull(); // still running: history derives it from the last sign of life
  });
});
