import { ManualClock } from '../../support/manual-clock';
import { openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

// The heartbeat runs on the recorder's own interval: jest's fake timers fire it at once,
// and the store's clock (a ManualClock) says how much time has passed.
const tmp = useTempDir();
const BEAT_MS = 1000;

beforeEach(() => jest.useFakeTimers({ doNotFake: ['performance'] }));
afterEach(() => jest.useRealTimers());

interface Activity {
  last_activity_at: number;
  last_activity_mono: number;
}

function activityOf(store: Parameters<typeof rows>[0], jobId: string): Activity {
  return rows<Activity>(
    store,
    'SELECT last_activity_at, last_activity_mono FROM sync_history WHERE job_id = ?',
    jobId,
  )[0]!;
}

function progressRowCount(store: Parameters<typeof rows>[0], jobId: string): number {
  return rows<{ n: number }>(store, 'SELECT COUNT(*) AS n FROM progress_updates WHERE job_id = ?', jobId)[0]!
    .n;
}

const indexing = (percent: number) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 10,
  filesProcessed: 1,
  totalFiles: 10,
  rate: 1,
});

function openStore(clock = new ManualClock()) {
  // A long throttle: only the heartbeat (or a checkpoint) writes between reports.
  return openTestProgressStore(tmp.path, { clock, heartbeatIntervalMs: BEAT_MS, throttleMs: 60_000 });
}

describe("a recorder's heartbeat", () => {
  it("writes the time of a quiet sync once an interval has passed since its last write, on the sync's own clock", () => {
    // The sync starts 10 minutes into the process's monotonic time, so a wall time taken
    // from the monotonic clock rather than from the time elapsed since the start shows.
    const clock = new ManualClock();
    clock.advance(600_000);
    const { store } = openStore(clock);
    const sync = store.recording.startSync({ jobId: 'quiet' });
    const started = activityOf(store, 'quiet');
    clock.advance(BEAT_MS);
    jest.advanceTimersByTime(BEAT_MS);
    expect(activityOf(store, 'quiet')).toEqual({
      last_activity_at: started.last_activity_at + BEAT_MS,
      last_activity_mono: started.last_activity_mono + BEAT_MS,
    });
    expect(progressRowCount(store, 'quiet')).toBe(0);
    sync.finish();
  });

  it('writes nothing while the last write is younger than the interval', () => {
    const clock = new ManualClock();
    clock.advance(600_000); // the age of the last write is a difference of two monotonic times
    const { store } = openStore(clock);
    const sync = store.recording.startSync({ jobId: 'busy' });
    const started = activityOf(store, 'busy');
    clock.advance(BEAT_MS - 1);
    jest.advanceTimersByTime(BEAT_MS);
    expect(activityOf(store, 'busy')).toEqual(started);
    clock.advance(1);
    jest.advanceTimersByTime(BEAT_MS);
    expect(activityOf(store, 'busy').last_activity_at).toBe(started.last_activity_at + BEAT_MS);
    sync.finish();
  });

  it('saves progress reported but held back by the throttle, as a progress row', () => {
    const { store, clock } = openStore();
    const sync = store.recording.startSync({ jobId: 'held', files: repoPaths(10) });
    sync.update(indexing(46)); // a phase change: its checkpoint is written at once
    const written = progressRowCount(store, 'held');
    clock.advance(10);
    sync.update(indexing(47)); // held back: the throttle is a minute
    expect(progressRowCount(store, 'held')).toBe(written);
    clock.advance(BEAT_MS);
    jest.advanceTimersByTime(BEAT_MS);
    expect(progressRowCount(store, 'held')).toBe(written + 1);
    expect(
      rows<{ overall_progress: number }>(
        store,
        'SELECT overall_progress FROM progress_updates WHERE job_id = ? ORDER BY id DESC LIMIT 1',
        'held',
      )[0]!.overall_progress,
    ).toBe(47);
    sync.finish();
  });

  it('stops with the sync: an ended sync is not touched again', () => {
    const { store, clock } = openStore();
    const sync = store.recording.startSync({ jobId: 'ended' });
    sync.finish();
    const ended = activityOf(store, 'ended');
    clock.advance(5 * BEAT_MS);
    jest.advanceTimersByTime(5 * BEAT_MS);
    expect(activityOf(store, 'ended')).toEqual(ended);
  });
});
