'use strict';
/**
 * Worker thread: another writer on the same file, as a sync recording in a second process
 * would be. It takes the write lock (BEGIN IMMEDIATE, then COMMIT) about every millisecond
 * and records how long each attempt waited, until the main thread sets the stop flag.
 * Plain JavaScript, so the worker needs no TypeScript hook.
 */
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.dbPath, { timeout: 120_000 });
const stop = new Int32Array(workerData.stop);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const waits = [];
parentPort.postMessage({ ready: true });
while (Atomics.load(stop, 0) === 0) {
  const start = process.hrtime.bigint();
  db.exec('BEGIN IMMEDIATE');
  db.exec('COMMIT');
  waits.push(Number(process.hrtime.bigint() - start) / 1e6);
  Atomics.wait(sleeper, 0, 0, 1);
}
db.close();
parentPort.postMessage({ waits });
