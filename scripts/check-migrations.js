#!/usr/bin/env node
'use strict';
/**
 * CI check that the Drizzle schema (src/schema) and the committed migrations (drizzle/)
 * agree: `drizzle-kit generate` must find nothing new to write.
 *
 * drizzle-kit has no dry-run, so generate runs against a scratch copy of drizzle/ in a
 * temp folder and the copy is compared with the original afterwards: the working tree
 * is never written, even when the check fails. `drizzle-kit check` runs first to catch
 * inconsistent snapshots or journal entries.
 *
 * drizzle-kit 0.31 can print an error and still exit 0 (a bad --out, say), so a pass
 * needs its positive answer as well as an unchanged copy; anything else fails.
 *
 * Exits 0 when in sync; otherwise prints what generate would add or change and exits 1.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const migrationsDir = path.join(root, 'drizzle');
const schemaPath = path.join('src', 'schema', 'index.ts');
const drizzleKit = path.join(
  root,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'drizzle-kit.cmd' : 'drizzle-kit',
);

class CheckFailed extends Error {
  constructor(message, output) {
    super(message);
    this.output = output;
  }
}

/** Throws, so the scratch folder is still removed on the way out. */
function fail(message, output) {
  throw new CheckFailed(message, output);
}

function run(args, what) {
  const result = spawnSync(drizzleKit, args, {
    cwd: root,
    encoding: 'utf8',
    // Keep the target database out of the picture: neither command connects, but the
    // config would otherwise resolve one from the caller's environment.
    env: { ...process.env, CIDX_PROGRESS_DB: path.join(os.tmpdir(), 'cidx-progress-check-unused.db') },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error) fail(`could not run drizzle-kit ${what}: ${result.error.message}`);
  if (result.status !== 0) fail(`drizzle-kit ${what} exited with ${result.status ?? result.signal}`, output);
  return output;
}

/** Every file under `dir` as relative path -> contents. */
function readTree(dir) {
  const files = new Map();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    files.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
  }
  return files;
}

function main() {
  if (!fs.existsSync(drizzleKit)) fail(`drizzle-kit not found at ${drizzleKit}; run npm ci first`);
  if (!fs.existsSync(path.join(migrationsDir, 'meta', '_journal.json'))) {
    fail(`no migrations found in ${migrationsDir}; run npm run db:generate and commit drizzle/`);
  }

  const checkOutput = run(['check', '--config', 'drizzle.config.ts'], 'check');
  if (!/Everything's fine/.test(checkOutput)) {
    fail('drizzle-kit check did not report the migrations folder as consistent', checkOutput);
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cidx-progress-migrations-'));
  try {
    const scratchOut = path.join(scratch, 'drizzle');
    fs.cpSync(migrationsDir, scratchOut, { recursive: true });
    // The same settings as drizzle.config.ts, but writing to the scratch copy. drizzle-kit
    // prefixes --out with "./", so it must be relative to the working directory.
    const output = run(
      [
        'generate',
        '--dialect',
        'sqlite',
        '--schema',
        schemaPath,
        '--out',
        path.relative(root, scratchOut),
        '--name',
        'schema_drift',
      ],
      'generate',
    );

    const before = readTree(migrationsDir);
    const after = readTree(scratchOut);
    const added = [...after.keys()].filter((f) => !before.has(f));
    const changed = [...after.keys()].filter((f) => before.has(f) && before.get(f) !== after.get(f));
    const removed = [...before.keys()].filter((f) => !after.has(f));
    if (added.length + changed.length + removed.length > 0) {
      const newSql = added.filter((f) => f.endsWith('.sql')).map((f) => `--- ${f}\n${after.get(f)}`);
      fail(
        'src/schema and drizzle/ disagree: `drizzle-kit generate` would write a new migration.\n' +
          'Run `npm run db:generate`, review the SQL and commit drizzle/.\n' +
          [
            ...added.map((f) => `  new:     drizzle/${f}`),
            ...changed.map((f) => `  changed: drizzle/${f}`),
            ...removed.map((f) => `  removed: drizzle/${f}`),
          ].join('\n'),
        [...newSql, output].join('\n'),
      );
    }
    if (!/No schema changes/.test(output)) {
      fail('drizzle-kit generate did not confirm that there is nothing to generate', output);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write('check-migrations: src/schema and drizzle/ are in sync\n');
}

try {
  main();
} catch (error) {
  if (!(error instanceof CheckFailed)) throw error;
  process.stderr.write(`\ncheck-migrations: FAILED: ${error.message}\n`);
  if (error.output) process.stderr.write(`${error.output.trim()}\n`);
  process.exitCode = 1;
}
