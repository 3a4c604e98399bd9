import { MaintenanceRun } from '../../../src/services/retention/maintenance-run';
import { retentionPolicy } from '../../../src/services/retention/retention-policy';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * Issue 14: the longest maintenance lock hold (23–31 ms on a 500 MB file) was always an
 * incremental vacuum the batch sizer had just doubled: 700 pages in 2 ms, then 1,400 in
 * 25 ms, moving pages that cost far more each. However fast the batches before it, a
 * vacuum batch now gives back at most twice the policy's chunk: 256 pages by default.
 */
const tmp = useTempDir();

function largestVacuumBatch(policy: Parameters<typeof retentionPolicy>[0]): number {
  const { store } = openTestProgressStore(tmp.path, { clock: new ManualClock(), autoMaintenance: false });
  const run = new MaintenanceRun(
    storeInternals(store),
    retentionPolicy(policy),
    false,
    store.retention.archiveDir,
  );
  let largest = 0;
  // Batches that take no time on the manual clock: left to itself, the sizer doubles every time.
  for (let i = 0; i < 20; i++) {
    const units = run.batchSize('pages');
    largest = Math.max(largest, units);
    run.write('vacuum', () => null, { kind: 'pages', units });
  }
  closeTestProgressStore(store);
  return largest;
}

describe('an incremental vacuum batch stays small however fast the last one was', () => {
  it('gives back at most 256 pages (1 MiB) per transaction by default', () => {
    expect(largestVacuumBatch({})).toBe(256);
  });

  it("grows to twice the policy's chunk", () => {
    expect(largestVacuumBatch({ vacuumChunkPages: 40 })).toBe(80);
  });
});
