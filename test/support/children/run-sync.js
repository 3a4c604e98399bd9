'use strict';
/**
 * Child: record a sync the way CIDX does, with the real src/, and say what the store has
 * acknowledged: after every explicit flush() that returned true it prints `ack <n>`,
 * n being the number of files completed so far. The parent kills it at a random moment.
 *
 * argv: <dir> <projectId> <fileCount> <jobId> [pauseEvery]
 */
require('./register-ts');
const { openProgressStore } = require('../../../src');

const [dir, projectId, countArg, jobId, pauseArg] = process.argv.slice(2);
const count = Number(countArg);
const pauseEvery = Number(pauseArg || 10);
const files = Array.from({ length: count }, (_, i) => `pkg-${i % 5}/src/nested/dir-${i % 13}/file-${i}.ts`);
const sleep = new Int32Array(new SharedArrayBuffer(4));

const store = openProgressStore({
  projectId,
  dir,
  throttleMs: 5,
  onWarning: (w) => process.stderr.write(`warn ${w.code} ${w.message}\n`),
});
const sync = store.recording.startSync({ jobId, gitCommit: 'abcdef0'.padEnd(40, '0'), files });
for (const [phase, percent] of [
  ['Git Fetch', 5],
  ['Git Merge', 30],
  ['Detecting Changes', 40],
]) {
  sync.update({ phase, percent, phasePercent: 0, filesProcessed: 0, totalFiles: count, rate: 0 });
}
process.stdout.write(`started ${sync.jobId}\n`);
for (let i = 0; i < count; i++) {
  sync.completeFiles([files[i]]);
  sync.update({
    phase: 'Indexing Files',
    percent: 45 + (45 * (i + 1)) / count,
    phasePercent: (100 * (i + 1)) / count,
    filesProcessed: i + 1,
    totalFiles: count,
    rate: 100,
  });
  if ((i + 1) % 7 === 0 && sync.flush()) process.stdout.write(`ack ${i + 1}\n`);
  if (i % pauseEvery === 0) Atomics.wait(sleep, 0, 0, 1);
}
sync.finish();
process.stdout.write('done\n');
