'use strict';
/**
 * Child: take the write lock of a store file from another process, the way a second
 * CIDX process would, and hold it for a while.
 *
 * argv: <dbPath> <holdMs|until-told> [mode] [marker]
 *   `until-told`: hold until a line arrives on stdin, or (a guard, so a parent stuck in a
 *        wait can never hang) 20 s; prints "committed told" or "committed unasked", so the
 *        parent can tell whether anything of its own finished while the lock was held.
 *   mode `immediate` (default): BEGIN IMMEDIATE, write `marker` into store_meta
 *        (key last_vacuum_at) so the parent can tell it ran after this commit.
 *   mode `exclusive`: locking_mode=EXCLUSIVE + BEGIN EXCLUSIVE, so no other connection
 *        can even read the file.
 * Prints "locked" once the lock is held, then "committed" after releasing it.
 * Plain JS over better-sqlite3 on purpose: the lock must not depend on the code under test.
 */
const Database = require('better-sqlite3');

const [dbPath, holdArg, mode = 'immediate', markerArg = '1'] = process.argv.slice(2);
const untilTold = holdArg === 'until-told';
const holdMs = untilTold ? 20_000 : Number(holdArg);

const db = new Database(dbPath, { timeout: 5000 });
if (mode === 'exclusive') {
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE');
} else {
  db.exec('BEGIN IMMEDIATE');
  db.prepare(
    "INSERT INTO store_meta (key, value) VALUES ('last_vacuum_at', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(Number(markerArg));
}
process.stdout.write('locked\n');

function release(how) {
  db.exec('COMMIT');
  db.close();
  process.stdout.write(how ? `committed ${how}\n` : 'committed\n');
}

if (untilTold) {
  const guard = setTimeout(() => {
    process.stdin.destroy();
    release('unasked');
  }, holdMs);
  process.stdin.once('data', () => {
    clearTimeout(guard);
    process.stdin.destroy();
    release('told');
  });
} else {
  // Hold the lock without returning to the event loop, as a busy writer would.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
  release('');
}
