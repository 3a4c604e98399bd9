// Mutation runs only: once a test has failed, the mutant is killed, so the covering tests
// after it in the same jest run are skipped instead of run. Stryker asks its runners to stop
// at the first failure ("bail"), but jest has no bail it can set from outside (see
// jest-override-options.js in @stryker-mutator/jest-runner), so a killed mutant cost as
// much as a survivor: every covering test, some 25 s a mutant for the retention tests.
// Skipped tests are not failures: a mutant's status (killed, survived, timed out) is what
// it would be without this; only the time to reach it changes.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');
const { ACTIVE_MUTANT } = require('./test-files-log.cjs');

/** One jest process runs one mutant at a time: it writes the mutant's id here when a test fails. */
const failureMark = () => path.join(process.cwd(), `.stryker-failed-${process.pid}`);

/** @param {string} mutant */
function failedAlready(mutant) {
  try {
    return fs.readFileSync(failureMark(), 'utf8') === mutant;
  } catch {
    return false;
  }
}

class BailAfterFirstFailure extends TestEnvironment {
  /**
   * @param {import('@jest/types').Circus.Event} event
   * @param {import('@jest/types').Circus.State} state
   */
  async handleTestEvent(event, state) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      fs.writeFileSync(failureMark(), mutant);
    } else if (event.name === 'run_start' && failedAlready(mutant)) {
      // A later test file: none of its tests, nor its hooks, run.
      state.rootDescribeBlock.mode = 'skip';
    } else if (event.name === 'test_start' && failedAlready(mutant)) {
      event.test.mode = 'skip';
    }
  }
}

module.exports = BailAfterFirstFailure;
