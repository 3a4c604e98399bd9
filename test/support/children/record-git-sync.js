'use strict';
/**
 * Child: record a sync of a real git repository the way CIDX does: the tracked files
 * (read with `git ls-files -z`) planned at start against HEAD, then completed in the
 * order given on the command line, each followed by an update; after the last one it
 * flushes, prints `checkpointed <n>`, and keeps "indexing" until the parent kills it.
 *
 * argv: <dir> <projectId> <repoDir> <jobId> <file-to-complete>...
 */
require('./register-ts');
const { execFileSync } = require('node:child_process');
const { openProgressStore } = require('../../../src');

const [dir, projectId, repoDir, jobId, ...toComplete] = process.argv.slice(2);
const git = (...args) => execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8' });
const files = git('ls-files', '-z').split('\0').filter(Boolean);
const head = git('rev-parse', 'HEAD').trim();

const store = openProgressStore({
  projectId,
  dir,
  throttleMs: 5,
  onWarning: (w) => process.stderr.write(`warn ${w.code} ${w.message}\n`),
});
const sync = store.recording.startSync({ jobId, gitCommit: head, files });
process.stdout.write(`started ${sync.jobId}\n`);
toComplete.forEach((file, i) => {
  sync.completeFiles([file]);
  sync.update({
    phase: 'Indexing Files',
    percent: 45 + i,
    phasePercent: i,
    filesProcessed: i + 1,
    totalFiles: files.length,
    rate: 10,
  });
});
if (!sync.flush()) process.exit(3);
process.stdout.write(`checkpointed ${toComplete.length}\n`);
const sleep = new Int32Array(new SharedArrayBuffer(4));
for (;;) Atomics.wait(sleep, 0, 0, 1000); // busy indexing, until SIGKILL
