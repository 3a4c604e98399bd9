import { UpkeepScheduler, type UpkeepTask, upkeepScheduler } from '../../src/db/upkeep-scheduler';
import { openTestProgressStore } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

// One timer for every store's upkeep, and turns that stop at a time budget, so 200 stores
// opened together never run their upkeep in one event-loop turn.
describe('UpkeepScheduler', () => {
  const tmp = useTempDir();
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A scheduler on a clock the tasks move: each task "takes" `cost` ms. */
  function scheduler(turnBudgetMs = 4) {
    let time = 0;
    const runs: Array<{ name: string; at: number; turn: number }> = [];
    let turn = 0;
    const s = new UpkeepScheduler({ turnBudgetMs, now: () => time });
    const task = (name: string, cost: number, again: number | null = null): UpkeepTask => ({
      run: () => {
        runs.push({ name, at: time, turn });
        time += cost;
        return again;
      },
    });
    const advance = (ms: number) => {
      for (let i = 0; i < ms; i++) {
        time += 1;
        turn += 1;
        jest.advanceTimersByTime(1);
      }
    };
    return { s, task, runs, advance };
  }

  it('keeps one timer however many tasks wait, and none once they are gone', () => {
    const { s, task } = scheduler();
    const tasks = Array.from({ length: 200 }, (_, i) => task(`t${i}`, 0, 5_000));
    tasks.forEach((t, i) => s.schedule(t, 5_000 + i));
    expect(jest.getTimerCount()).toBe(1);
    expect(s.size).toBe(200);
    tasks.forEach((t) => s.cancel(t));
    expect(s.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('runs due tasks earliest first, and ends a turn once its budget is spent', () => {
    const { s, task, runs, advance } = scheduler(4);
    s.schedule(task('late', 1), 3);
    s.schedule(task('a', 3), 1);
    s.schedule(task('b', 3), 1);
    s.schedule(task('c', 0), 2);
    advance(1);
    // a and b were both due: a ran (3 ms, under the 4 ms budget), then b, and the turn ended.
    expect(runs.map((r) => r.name)).toEqual(['a', 'b']);
    advance(1);
    expect(runs.map((r) => r.name)).toEqual(['a', 'b', 'c', 'late']);
    expect(new Set(runs.slice(0, 2).map((r) => r.turn)).size).toBe(1);
    expect(runs[2]!.turn).toBeGreaterThan(runs[1]!.turn);
    // Nothing left to run: no timer is left waiting either.
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ends a turn when its budget is spent exactly', () => {
    const { s, task, runs, advance } = scheduler(4);
    s.schedule(task('a', 4), 1);
    s.schedule(task('b', 0), 1);
    advance(1);
    expect(runs.map((r) => r.name)).toEqual(['a']);
    advance(1);
    expect(runs.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('sets a timer again only when a task is due sooner than the one set', () => {
    const { s, task } = scheduler();
    const setTimer = jest.spyOn(global, 'setTimeout');
    s.schedule(task('first', 0), 5_000);
    for (let i = 0; i < 199; i++) s.schedule(task(`later${i}`, 0), 6_000 + i);
    expect(setTimer).toHaveBeenCalledTimes(1);
    s.schedule(task('sooner', 0), 1_000);
    expect(setTimer).toHaveBeenCalledTimes(2);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('runs a task again after the delay it returns, until it returns null or is cancelled', () => {
    const { s, task, runs, advance } = scheduler();
    let left = 3;
    const repeating: UpkeepTask = {
      run: () => (runs.push({ name: 'r', at: 0, turn: 0 }), --left > 0 ? 10 : null),
    };
    s.schedule(repeating, 10);
    advance(100);
    expect(runs).toHaveLength(3);
    expect(s.size).toBe(0);
    const forever = task('f', 0, 10);
    s.schedule(forever, 10);
    advance(25);
    s.cancel(forever);
    advance(100);
    expect(runs.filter((r) => r.name === 'f')).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the timer for the tasks still waiting when one of them is cancelled', () => {
    const { s, task, runs, advance } = scheduler();
    const gone = task('gone', 0);
    s.schedule(gone, 10);
    s.schedule(task('kept', 0), 10);
    s.cancel(gone);
    expect(jest.getTimerCount()).toBe(1);
    advance(20);
    expect(runs.map((r) => r.name)).toEqual(['kept']);
  });

  it('drops a task that throws and goes on with the others', () => {
    const { s, task, runs, advance } = scheduler();
    s.schedule(
      {
        run: () => {
          throw new Error('boom');
        },
      },
      1,
    );
    s.schedule(task('ok', 0, 5), 1);
    advance(6);
    expect(runs.map((r) => r.name)).toEqual(['ok', 'ok']);
    expect(s.size).toBe(1);
  });

  it('lets a task reschedule itself from inside its run', () => {
    const { s, runs, advance } = scheduler();
    const self: UpkeepTask = {
      run: () => {
        runs.push({ name: 's', at: 0, turn: 0 });
        s.schedule(self, 50);
        return 1; // its own schedule() wins
      },
    };
    s.schedule(self, 1);
    advance(10);
    expect(runs).toHaveLength(1);
    advance(50);
    expect(runs).toHaveLength(2);
  });

  it("never keeps the process alive: the shared scheduler's timer is unref'd", () => {
    jest.useRealTimers();
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { store } = openTestProgressStore(tmp.path);
    expect(upkeepScheduler.size).toBeGreaterThanOrEqual(2);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    store.close();
  });
});
