'use strict';
/**
 * Child: open the store and resume one sync when the parent says "go" (so several
 * processes race at the same instant). Prints one JSON line: the plan's summary, or the
 * error's code.
 *
 * argv: <dir> <projectId> <jobId>
 */
require('./register-ts');
const readline = require('node:readline');
const { openProgressStore } = require('../../../src');

const [dir, projectId, jobId] = process.argv.slice(2);
const store = openProgressStore({ projectId, dir, onWarning: () => {} });
process.stdout.write('ready\n');
readline.createInterface({ input: process.stdin }).once('line', () => {
  try {
    const { plan, sync } = store.resume.resume(jobId);
    sync.release();
    process.stdout.write(
      `${JSON.stringify({ ok: true, jobId: plan.jobId, filesSkipped: plan.filesSkipped })}\n`,
    );
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, code: error.code, message: error.message })}\n`);
  }
  store.close();
  process.exit(0);
});
