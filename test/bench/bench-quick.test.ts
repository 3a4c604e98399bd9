import { runCommand } from '../support/child-process';

// The benchmark script must not rot: CI runs its quick mode (small sizes) and checks it
// completes and prints every row. It reports; nothing here depends on how fast anything is.
const OPERATIONS = [
  'update() that writes (throttleMs: 0)',
  "WAL merge on the store's timer, between calls",
  'same, caller never yields',
  'update() throttled away (nothing written)',
  'of which: zod safeParse of the update',
  'checkpoint (flush()) with 5% of files newly completed',
  "WAL merge on the store's timer, between two 5% steps",
  'completeFiles() of those 5%',
  'startSync() with the whole file list planned',
  'checkResumable() + resume() plan',
  'same, in a fresh process (once per process',
  'of which: checkResumable()',
  'of which: resume() (replay, claim, new sync)',
  'recording loop per file: completeFiles([path]) + update()',
  'metrics.report({ days: 30 })',
  'runMaintenance() on the 30-day heavy store',
  "another writer's wait for the lock meanwhile",
  'database size after the heavy month',
  'openProgressStore() on a neglected heavy file (maintenance due)',
  'maintenance in slices after open, until done',
  'longest write-lock hold by maintenance (slices; VACUUM apart)',
  'event-loop delay meanwhile (monitorEventLoopDelay)',
  'event-loop delay, 20 of 200 stores syncing at 1 update/s',
  'CPU with 200 stores open, idle',
  'timers alive with 200 stores open',
  'file handles with 200 stores open',
];

describe('npm run bench -- --quick', () => {
  it('completes and prints every operation with the storage settings', async () => {
    const result = await runCommand('npm', ['run', '--silent', 'bench', '--', '--quick']);
    expect(result.stderr).not.toMatch(/Error|store warning/);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/journal_mode=wal, synchronous=NORMAL/);
    expect(out).toMatch(/^machine: .*node v\d+/m);
    const rows = out.split('\n').filter((line) => line.startsWith('| '));
    for (const operation of OPERATIONS) {
      expect(rows.some((row) => row.includes(operation))).toBe(true);
    }
    // Both checkpoint and resume sizes, and both history sizes, have their own row.
    expect(rows.filter((row) => row.includes('checkpoint (flush())'))).toHaveLength(2);
    expect(rows.filter((row) => row.includes('checkResumable() + resume()'))).toHaveLength(2);
    expect(rows.filter((row) => row.includes('metrics.report'))).toHaveLength(2);
    // Every row has all its cells (operation … result).
    for (const row of rows) expect(row.split(' | ')).toHaveLength(10);
  }, 180_000);
});
