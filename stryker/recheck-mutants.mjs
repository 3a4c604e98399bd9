// Reruns mutants of a finished or stopped run by hand, outside Stryker, to check what its
// log says of them: each mutant is applied to a copy of src/ in a scratch checkout, the
// scope's jest tests run against it (no time limit beyond jest's own), and the checkout is
// restored. Used for Timeout results: Stryker counts a timeout as detected, and on a loaded
// machine a slow test run times out as well as a hanging one.
//
//   node stryker/recheck-mutants.mjs <scratch checkout> <scope> [status=Timeout] [id,id,...]
//
// Prints one line per mutant: its id, file:line, what the tests did (failed / passed).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [checkout, scope, status = 'Timeout', ids] = process.argv.slice(2);
if (!checkout || !scope) {
  console.error('usage: node stryker/recheck-mutants.mjs <scratch checkout> <scope> [status] [ids]');
  process.exit(2);
}
const wanted = ids ? new Set(ids.split(',')) : null;
const log = path.join('reports', 'mutation', scope, 'mutants.jsonl');
const mutants = fs
  .readFileSync(log, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((m) => m.status === status && (!wanted || wanted.has(m.id)));

/**
 * Offset of a (1-based line, 1-based column) position, as the mutation report gives it.
 * @param {string} text
 * @param {{ line: number, column: number }} position
 */
function offsetOf(text, { line, column }) {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

for (const mutant of mutants) {
  const relative = path.relative(process.cwd(), mutant.fileName);
  const target = path.join(checkout, relative);
  const original = fs.readFileSync(target, 'utf8');
  const start = offsetOf(original, mutant.location.start);
  const end = offsetOf(original, mutant.location.end);
  fs.writeFileSync(target, original.slice(0, start) + mutant.replacement + original.slice(end));
  try {
    const run = spawnSync('npx', ['jest', '-c', 'jest.stryker.config.js', '--bail', '--silent'], {
      cwd: checkout,
      env: { ...process.env, MUTATE_SCOPE: scope },
      encoding: 'utf8',
    });
    const failed =
      /Tests:\s+\d+ failed/.exec(run.stderr)?.[0] ?? (run.status === 0 ? 'passed' : `exit ${run.status}`);
    console.log(
      `${mutant.id}\t${relative}:${mutant.location.start.line}\t${mutant.replacement.slice(0, 50).replace(/\s+/g, ' ')}\t${failed}`,
    );
  } finally {
    fs.writeFileSync(target, original);
  }
}
// The scratch checkout's src/ must be as it was.
execFileSync('git', ['diff', '--exit-code', '--stat', '--', 'src'], { cwd: checkout, stdio: 'inherit' });
