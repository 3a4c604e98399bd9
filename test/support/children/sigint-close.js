'use strict';
/**
 * Child: a sync loop whose SIGINT handler closes the store, as a CLI does on Ctrl-C,
 * while the loop goes on calling the recording API for a while (callbacks already queued,
 * a loop that only checks a flag now and then). Prints `recording` once the loop runs,
 * then one JSON line: what the loop caught (it should catch nothing) and the warnings.
 *
 * argv: <dir> <projectId>
 */
require('./register-ts');
const { openProgressStore } = require('../../../src');

const [dir, projectId] = process.argv.slice(2);
const warnings = [];
const store = openProgressStore({ projectId, dir, throttleMs: 0, onWarning: (w) => warnings.push(w) });
const files = Array.from({ length: 200 }, (_, i) => `src/file-${i}.ts`);
const sync = store.recording.startSync({
  jobId: 'interrupted-by-sigint',
  gitCommit: 'abcdef0'.padEnd(40, '0'),
  files,
});
let closed = false;
process.once('SIGINT', () => {
  store.close();
  closed = true;
});

let thrown = null;
let callsAfterClose = 0;
let i = 0;
const tick = () => {
  try {
    if (i < files.length) sync.completeFiles([files[i]]);
    sync.update({
      phase: 'Indexing Files',
      percent: 45 + (45 * Math.min(i, 199)) / 200,
      phasePercent: 0,
      filesProcessed: Math.min(i, 200),
      totalFiles: 200,
      rate: 50,
    });
    if (i % 5 === 0) sync.flush();
    if (closed) callsAfterClose += 1;
  } catch (error) {
    thrown = `${error.name}: ${error.message}`;
  }
  i += 1;
  if (i === 3) process.stdout.write('recording\n');
  if (thrown !== null || callsAfterClose >= 25 || i > 100_000) {
    process.stdout.write(
      `${JSON.stringify({ thrown, callsAfterClose, warnings: warnings.map((w) => w.code) })}\n`,
    );
    return;
  }
  setTimeout(tick, 2);
};
tick();
