import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * The time left that checkResumable() shows for a project with no completed history: the
 * sync's own pace. Pending files at the last indexing rate when both are known, else the
 * time it took to reach its progress, extrapolated; nothing when there is nothing to go on.
 */
const tmp = useTempDir();
const FILES = repoPaths(10);

interface Step {
  afterMs: number;
  percent: number;
  rate: number;
  completed: number;
}

/** Start a sync, report each step (a checkpoint each, all in the indexing phase), interrupt it. */
function interruptedEstimate(steps: Step[]): number | null | undefined {
  const opened = openTestProgressStore(tmp.path);
  const sync = opened.store.recording.startSync({ jobId: 'paced', gitCommit: 'a'.repeat(40), files: FILES });
  let done = 0;
  for (const step of steps) {
    opened.clock.advance(step.afterMs);
    if (step.completed > done) sync.completeFiles(FILES.slice(done, step.completed));
    done = step.completed;
    sync.update({
      phase: 'Indexing Files',
      percent: step.percent,
      phasePercent: 0,
      filesProcessed: done,
      totalFiles: FILES.length,
      rate: step.rate,
    });
    sync.flush();
  }
  closeTestProgressStore(opened.store);
  const { store } = openTestProgressStore(tmp.path, { clock: opened.clock });
  const info = store.resume.checkResumable();
  expect(info).toMatchObject({ jobId: 'paced', canResume: true });
  return info?.estimatedTime;
}

describe("an interrupted sync's own-pace estimate", () => {
  it('is the pending files at the last rate', () => {
    expect(interruptedEstimate([{ afterMs: 40_000, percent: 60, rate: 2, completed: 4 }])).toBe(3000); // 6 files at 2/s
  });

  it('extrapolates the elapsed time when the rate is 0', () => {
    // 40 s to reach 40%: 60 s more for the remaining 60%.
    expect(interruptedEstimate([{ afterMs: 40_000, percent: 40, rate: 0, completed: 4 }])).toBe(60_000);
  });

  it('extrapolates the elapsed time when no file is pending', () => {
    expect(interruptedEstimate([{ afterMs: 90_000, percent: 90, rate: 5, completed: 10 }])).toBe(10_000);
  });

  it('is 0 at 100%, even when it got there in no measurable time', () => {
    expect(interruptedEstimate([{ afterMs: 0, percent: 100, rate: 0, completed: 10 }])).toBe(0);
  });

  it('is 0 at 100%', () => {
    expect(interruptedEstimate([{ afterMs: 10_000, percent: 100, rate: 0, completed: 10 }])).toBe(0);
  });

  it('is nothing at 0% progress', () => {
    expect(interruptedEstimate([{ afterMs: 10_000, percent: 0, rate: 0, completed: 0 }])).toBeNull();
  });

  it('is nothing when the checkpoint was taken at the very start', () => {
    expect(interruptedEstimate([{ afterMs: 0, percent: 30, rate: 0, completed: 0 }])).toBeNull();
  });
});
