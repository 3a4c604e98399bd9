'use strict';
/**
 * Child: run maintenance on a project file with the real src/ and print its report as one
 * JSON line (or {"error": …} and exit 1). Faults are injected here, in the test child only,
 * by wrapping node:fs (which src/ calls through at run time):
 *
 *   STALL_MS   sleep this long before the first fsync of an archive file being written
 *              (a slow disk, or a stopped process), printing `stalling` first;
 *   SLOW_MS    sleep this long before every write to the archive folder;
 *   KILL_AT    SIGKILL this process at the KILL_AT-th file operation on the archive
 *              folder (open, write, fsync, close, rename, unlink): a crash at a chosen point
 *              of the archive protocol;
 *   LOCK_TIMEOUT_MS  the store's lockTimeoutMs (how long a run waits for another's lease).
 *
 * argv: <dir> <projectId> [rounds]   (rounds: run maintenance this many times)
 */
require('../../../support/children/register-ts');
const fs = require('node:fs');

const [dir, projectId, roundsArg] = process.argv.slice(2);
const stallMs = Number(process.env.STALL_MS || 0);
const slowMs = Number(process.env.SLOW_MS || 0);
const killAt = Number(process.env.KILL_AT || 0);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => ms > 0 && Atomics.wait(sleeper, 0, 0, ms);

const inArchive = (p) => typeof p === 'string' && p.includes('.archive');
const archiveFds = new Map();
let ops = 0;
let stalled = false;

function archiveOp() {
  ops += 1;
  if (killAt > 0 && ops === killAt) process.kill(process.pid, 'SIGKILL');
}

function wrap(name, isArchive, before) {
  const original = fs[name];
  fs[name] = function wrapped(...args) {
    if (isArchive(args)) {
      archiveOp();
      if (before) before(args);
    }
    return original.apply(this, args);
  };
}

const openSync = fs.openSync;
fs.openSync = function wrappedOpen(file, ...rest) {
  if (inArchive(file)) archiveOp();
  const fd = openSync.call(this, file, ...rest);
  if (inArchive(file)) archiveFds.set(fd, file);
  return fd;
};
const byFd = (args) => archiveFds.has(args[0]);
const writing = (args) => /\.(pending|tmp)-/.test(archiveFds.get(args[0]) ?? '');
wrap('writeSync', byFd, (args) => writing(args) && sleep(slowMs));
wrap('fsyncSync', byFd, (args) => {
  if (stallMs > 0 && !stalled && writing(args)) {
    stalled = true;
    process.stdout.write('stalling\n');
    sleep(stallMs);
  }
});
const closeSync = fs.closeSync;
fs.closeSync = function wrappedClose(fd) {
  if (archiveFds.has(fd)) {
    archiveOp();
    archiveFds.delete(fd);
  }
  return closeSync.call(this, fd);
};
wrap('renameSync', (args) => inArchive(args[0]));
wrap('unlinkSync', (args) => inArchive(args[0]));
wrap('rmSync', (args) => inArchive(args[0]));

const { openProgressStore } = require('../../../../src');

const warnings = [];
try {
  const lockTimeoutMs = process.env.LOCK_TIMEOUT_MS ? Number(process.env.LOCK_TIMEOUT_MS) : undefined;
  const store = openProgressStore({
    projectId,
    dir,
    lockTimeoutMs,
    autoMaintenance: false,
    onWarning: (w) => warnings.push(`${w.code} ${w.message}`),
  });
  process.stdout.write('started\n');
  const reports = [];
  for (let i = 0; i < Number(roundsArg || 1); i++) reports.push(store.retention.runMaintenance());
  store.close();
  process.stdout.write(`${JSON.stringify({ reports, warnings, ops })}\n`);
  process.exit(0);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ error: { code: error.code, name: error.name, message: error.message }, warnings, ops })}\n`,
  );
  process.exit(1);
}
