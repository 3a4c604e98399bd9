// Mutation runs only: which test file each test is in, as the dry run saw it (see
// covering-test-files-sequencer.cjs). One JSON line per test: { name, file, ms }, ms being
// how long the test took (its hooks apart), to run the quickest covering files first.
/// <reference types="jest" />
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Set by Stryker's jest runner for a mutant's run, absent during the dry run. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/** In the working directory: the sandbox, during a mutation run. */
const testFilesLog = () => path.join(process.cwd(), '.stryker-test-files.jsonl');

/** For setupFilesAfterEnv: during a run of every test, log each test's file and time. */
function recordTestFiles() {
  if (process.env[ACTIVE_MUTANT] !== undefined) return;
  let startedAt = 0;
  beforeEach(() => {
    startedAt = performance.now();
  });
  afterEach(() => {
    const { currentTestName, testPath } = expect.getState();
    const ms = Math.round(performance.now() - startedAt);
    fs.appendFileSync(testFilesLog(), `${JSON.stringify({ name: currentTestName, file: testPath, ms })}\n`);
  });
}

module.exports = { ACTIVE_MUTANT, testFilesLog, recordTestFiles };
