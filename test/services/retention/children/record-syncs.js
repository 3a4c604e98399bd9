'use strict';
/**
 * Child: record `count` short syncs one after another with the real src/, on a clock set
 * CLOCK_OFFSET_MS in the past (wall and monotonic alike, so its syncs are that old for
 * retention at once), and print `finished <jobId>` after each finish() returns.
 *
 * argv: <dir> <projectId> <jobPrefix> <count>
 */
require('../../../support/children/register-ts');
const { openProgressStore, systemClock } = require('../../../../src');

const [dir, projectId, prefix, countArg] = process.argv.slice(2);
const offset = Number(process.env.CLOCK_OFFSET_MS || 0);
const clock = { now: () => systemClock.now() - offset, monotonic: () => systemClock.monotonic() - offset };
const store = openProgressStore({
  projectId,
  dir,
  clock,
  throttleMs: 0,
  autoMaintenance: false,
  onWarning: () => {},
});
process.stdout.write('started\n');
for (let i = 0; i < Number(countArg); i++) {
  const jobId = `${prefix}-${i}`;
  const sync = store.recording.startSync({ jobId });
  for (let p = 1; p <= 5; p++) {
    sync.update({
      phase: 'Indexing Files',
      percent: 40 + p * 10,
      phasePercent: p * 20,
      filesProcessed: p,
      totalFiles: 5,
      rate: 1,
    });
  }
  sync.finish();
  process.stdout.write(`finished ${jobId}\n`);
}
store.close();
process.stdout.write('done\n');
