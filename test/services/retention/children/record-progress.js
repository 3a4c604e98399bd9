'use strict';
/**
 * Child: record one sync with the real src/, a progress write every few milliseconds,
 * timing every update() call (each one writes: throttleMs is 0), until the parent says
 * "stop" on stdin. Then prints one JSON line: how many writes, when each slow one
 * happened, the longest and the p99 call, and any warnings.
 *
 * argv: <dir> <projectId> <jobId>
 */
require('../../../support/children/register-ts');
const readline = require('node:readline');
const { openProgressStore } = require('../../../../src');

const [dir, projectId, jobId] = process.argv.slice(2);
const warnings = [];
const store = openProgressStore({
  projectId,
  dir,
  throttleMs: 0,
  autoMaintenance: false,
  onWarning: (w) => warnings.push(`${w.code} ${w.message}`),
});
const sync = store.recording.startSync({ jobId });
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const calls = []; // [wall ms at start, duration ms]
let stop = false;
let n = 0;

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') stop = true;
});

function burst() {
  const until = performance.now() + 50;
  while (performance.now() < until) {
    n += 1;
    const wall = Date.now();
    const started = performance.now();
    sync.update({
      phase: 'Indexing Files',
      percent: Math.min(99, 40 + n / 1000),
      phasePercent: 50,
      filesProcessed: n,
      totalFiles: 1e6,
      rate: 100,
    });
    calls.push([wall, performance.now() - started]);
    Atomics.wait(sleeper, 0, 0, 2);
  }
  if (!stop) return setImmediate(burst);
  sync.finish();
  store.close();
  const sorted = calls.map((c) => c[1]).sort((a, b) => a - b);
  const slow = calls.filter((c) => c[1] > 10);
  process.stdout.write(
    `${JSON.stringify({
      writes: calls.length,
      maxMs: sorted[sorted.length - 1],
      p99Ms: sorted[Math.floor(sorted.length * 0.99)],
      p50Ms: sorted[Math.floor(sorted.length / 2)],
      callTimes: calls.map((c) => c[0]),
      slow,
      warnings,
    })}\n`,
  );
  process.exit(0);
}

process.stdout.write('recording\n');
setImmediate(burst);
