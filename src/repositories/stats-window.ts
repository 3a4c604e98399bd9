/** Half-open time window [from, to) over start times, in ms since the epoch. */
export interface StatsWindow {
  projectId: string;
  from: number;
  to: number;
  /** Ids of damaged rows to leave out (see SyncStatsRepository.damagedRows). */
  excluded?: readonly number[];
}

/** A window as statement parameters: the excluded ids as one JSON array. */
export function windowParams(window: StatsWindow): Record<string, unknown> {
  return {
    projectId: window.projectId,
    from: window.from,
    to: window.to,
    excluded: JSON.stringify(window.excluded ?? []),
  };
}
