'use strict';
/**
 * Child: record one sync with the real src/ and the real clock, slowly enough to be
 * watched from another process (`cidx-progress status --watch`): a small throttle, an
 * update every `stepMs`, the phases walked at 100% per `durationMs`, then ended
 * as `end` says. Prints `started <jobId>` once the sync row exists, `ended <end>` last.
 *
 * argv: <dir> <projectId> <durationMs> <end: completed|failed|cancelled|killed|released|never> [goFile]
 *   goFile: stay at 0% (still recording) until this file exists, so a watcher started
 *   after this process sees the whole sync however slowly it starts on a loaded machine;
 *   completed: walks to 100% and finishes; failed, cancelled: ends so at 60%;
 *   killed: the process kills itself (SIGKILL) at 60%, as a crash would;
 *   released: closes the store at 60% without ending the sync (the process lets go);
 *   never: stays at 50% until killed by the test.
 */
require('./register-ts');
const { openProgressStore } = require('../../../src');

const fs = require('node:fs');

const [dir, projectId, durationArg, end, goFile] = process.argv.slice(2);
const durationMs = Number(durationArg);
const stepMs = 40;
const files = Array.from({ length: 200 }, (_, i) => `src/file-${i}.ts`);
const store = openProgressStore({
  projectId,
  dir,
  throttleMs: 50,
  onWarning: (w) => process.stderr.write(`warn ${w.code} ${w.message}\n`),
});
const sync = store.recording.startSync({ files, gitCommit: 'abcdef0123456789abcdef0123456789abcdef01' });
process.stdout.write(`started ${sync.jobId}\n`);

const phases = [
  'Initializing',
  'Git Fetch',
  'Git Merge',
  'Detecting Changes',
  'Indexing Files',
  'Validating Index',
];
const bounds = [0, 5, 30, 40, 45, 90, 100];
let started = null;
const stopAt = end === 'completed' ? 100 : end === 'never' ? 50 : 60;

const timer = setInterval(() => {
  if (started === null && (!goFile || fs.existsSync(goFile))) started = Date.now();
  const percent = started === null ? 0 : Math.min(stopAt, (100 * (Date.now() - started)) / durationMs);
  const index = Math.min(
    phases.length - 1,
    bounds.findIndex((b, i) => percent >= b && percent < (bounds[i + 1] ?? Infinity)),
  );
  const phase = phases[index];
  const done =
    phase === 'Indexing Files'
      ? Math.floor((files.length * (percent - 45)) / 45)
      : phase === 'Validating Index'
        ? files.length
        : 0;
  sync.update({
    phase,
    percent,
    phasePercent: Math.min(100, (100 * (percent - bounds[index])) / (bounds[index + 1] - bounds[index])),
    filesProcessed: done,
    totalFiles: files.length,
    rate: phase === 'Indexing Files' ? 40 : 0,
  });
  if (percent < stopAt) return;
  if (end === 'never') return;
  clearInterval(timer);
  sync.flush();
  if (end === 'killed') process.kill(process.pid, 'SIGKILL');
  if (end === 'completed') sync.finish({ filesIndexed: files.length });
  else if (end === 'failed') sync.fail(new Error('the embedding service went away'));
  else if (end === 'cancelled') sync.cancel('stopped by the user');
  store.close();
  process.stdout.write(`ended ${end}\n`);
}, stepMs);
