import type { HistoryFactory } from '../../support/history-factory';

/**
 * A synthetic history that reproduces the story's "Historical Metrics Display" exactly,
 * with answers known by construction. Now is Monday 2024-01-15 11:00 UTC; the 7-day
 * window is [2024-01-08 11:00, 2024-01-15 11:00).
 *
 * - 50 syncs in the window: 47 completed, 3 failed ("Network timeout") → 94% (47/50).
 * - Phase means over the 47: Git Fetch 45s, Git Merge 8s, Indexing 2m 30s, Validation
 *   15s (total 3m 38s). In the previous window: Git Fetch 51.136s (so now 12% faster),
 *   Git Merge 8s and Validation 15s (stable), Indexing 142.857s (so now 5% slower).
 * - Six starts on Monday 10am-12pm (five on the 8th after 11:00, one on the 15th at
 *   10:30); every other two-hour window has at most one.
 * - The four newest are the story's four recent syncs.
 */
export const STORY_NOW = Date.UTC(2024, 0, 15, 11, 0);
export const STORY_PHASES = [
  { name: 'Git Fetch', weight: 0.2 },
  { name: 'Git Merge', weight: 0.1 },
  { name: 'Indexing', weight: 0.6 },
  { name: 'Validation', weight: 0.1 },
];

const S = 1000;
const MINUTE = 60 * S;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const phases = (fetch: number, merge: number, indexing: number, validation: number) => ({
  'Git Fetch': fetch * S,
  'Git Merge': merge * S,
  Indexing: indexing * S,
  Validation: validation * S,
});

/** Start times of the 41 "other" syncs of the window: every 3.5 hours from the 8th, 13:00. */
export function otherStarts(): number[] {
  return Array.from({ length: 41 }, (_, i) => Date.UTC(2024, 0, 8, 13, 0) + i * 3.5 * HOUR);
}

export function buildStoryHistory(history: HistoryFactory): void {
  const at = (day: number, hour: number, minute: number) => Date.UTC(2024, 0, day, hour, minute);
  history.batch(() => {
    // The previous window: ten identical completed syncs.
    for (let i = 0; i < 10; i++) {
      history.add({
        startTime: STORY_NOW - 14 * DAY + (i + 1) * 12 * HOUR,
        phases: STORY_PHASES,
        phaseDurations: { 'Git Fetch': 51_136, 'Git Merge': 8_000, Indexing: 142_857, Validation: 15_000 },
      });
    }
    // 44 "other" completed syncs: Indexing 151s for 43 of them, 146s for one, so that
    // the 47 completed average exactly 150s with the three recent ones (124, 110, 177s).
    const others = otherStarts();
    others.forEach((startTime, i) => {
      if (i < 2) {
        history.add({
          startTime,
          phases: STORY_PHASES,
          status: 'failed',
          phaseDurations: phases(45, 8, 30, 0),
        });
        return;
      }
      history.add({
        startTime,
        phases: STORY_PHASES,
        phaseDurations: phases(45, 8, i === 2 ? 146 : 151, 15),
      });
    });
    for (let minute = 5; minute <= 45; minute += 10) {
      history.add({
        startTime: at(8, 11, minute),
        phases: STORY_PHASES,
        phaseDurations: phases(45, 8, 151, 15),
      });
    }
    // The story's four recent syncs, oldest first.
    history.add({
      startTime: at(14, 14, 10),
      phases: STORY_PHASES,
      phaseDurations: phases(45, 8, 177, 15),
      filesIndexed: 1456,
    });
    history.add({
      startTime: at(14, 16, 20),
      phases: STORY_PHASES,
      status: 'failed',
      phaseDurations: phases(45, 2, 0, 0),
      error: { phase: 'Git Merge', code: 'ETIMEDOUT', message: 'Network timeout' },
    });
    history.add({
      startTime: at(15, 8, 45),
      phases: STORY_PHASES,
      phaseDurations: phases(45, 8, 110, 15),
      filesIndexed: 987,
    });
    history.add({
      startTime: at(15, 10, 30),
      phases: STORY_PHASES,
      phaseDurations: phases(45, 8, 124, 15),
      filesIndexed: 1234,
    });
  });
}
