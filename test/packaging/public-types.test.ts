import { getTableColumns } from 'drizzle-orm';
import type { ArchivedSync } from '../../src';
import { syncHistory, type SyncHistoryRow } from '../../src/schema';

/**
 * The public types name no driver or ORM type (a consumer type-checking with
 * skipLibCheck off would otherwise need their @types, and drizzle-orm's own .d.ts files
 * do not pass that check), so ArchivedSync spells out the sync_history row. These checks
 * keep the two the same; pack-install.test.ts type-checks a strict consumer of the build.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('the public types', () => {
  it('ArchivedSync is exactly the sync_history row, column for column', () => {
    const same: Same<ArchivedSync, SyncHistoryRow> = true;
    expect(same).toBe(true);
    // Exhaustive at compile time: a column added to ArchivedSync must be listed here.
    const keys: Record<keyof ArchivedSync, true> = {
      id: true,
      jobId: true,
      projectId: true,
      status: true,
      startTime: true,
      endTime: true,
      lastActivityAt: true,
      lastActivityMono: true,
      totalDuration: true,
      phaseDurations: true,
      phases: true,
      currentPhase: true,
      overallProgress: true,
      filesProcessed: true,
      totalFiles: true,
      filesChanged: true,
      filesIndexed: true,
      bytesProcessed: true,
      errors: true,
      gitCommit: true,
      ownerPid: true,
      ownerHost: true,
      ownerStartedAt: true,
      ownerBootId: true,
      resumedFromJobId: true,
      resumedByJobId: true,
      peakMemoryBytes: true,
      meanCpuPercent: true,
      metadata: true,
    };
    expect(Object.keys(keys).sort()).toEqual(Object.keys(getTableColumns(syncHistory)).sort());
  });
});
