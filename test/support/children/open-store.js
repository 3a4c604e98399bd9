'use strict';
/**
 * Child: open a store file with the real src/ (openStoreDatabase) once the parent says
 * "go" on stdin, so several processes can be released at the same instant. Prints one
 * JSON line with what it saw, or {"error": …} and exits 1.
 *
 * argv: <dbPath> [lockTimeoutMs]
 */
require('./register-ts');
const readline = require('node:readline');
const { openStoreDatabase } = require('../../../src/db/open-store-database');

const [dbPath, lockTimeoutArg] = process.argv.slice(2);
const warnings = [];

function open() {
  try {
    const connection = openStoreDatabase(dbPath, {
      now: () => Date.now(),
      warn: (message) => warnings.push(message),
      lockTimeoutMs: lockTimeoutArg ? Number(lockTimeoutArg) : undefined,
    });
    const { sqlite } = connection;
    const result = {
      migrations: sqlite.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get().n,
      autoVacuum: sqlite.pragma('auto_vacuum', { simple: true }),
      journalMode: sqlite.pragma('journal_mode', { simple: true }),
      warnings,
    };
    sqlite.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  } catch (error) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: error.code, name: error.name, message: error.message }, warnings })}\n`,
    );
    process.exit(1);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'go') open();
});
// Modules are loaded (the slow part) before this line, so "go" starts the open itself.
process.stdout.write('ready\n');
