// Mutation runs only: jest loads just the test files that hold a mutant's covering tests.
//
// Stryker's per-test coverage names the tests to run for a mutant (jest's testNamePattern),
// but jest still loads every test file it matches, each with the instrumented src/ in a
// module registry of its own: about 0.25 s a file, for files none of whose tests will run.
// During the dry run (every test, no active mutant) record-test-files.cjs logs which file
// each test is in; for a mutant's run this sequencer keeps the files holding a test the
// pattern names. When it can place none, every file runs, as without it.
//
// The kept files run quickest first (by the dry run's times): a killed mutant stops at its
// first failing test (bail-environment.cjs), so the cheaper that test, the sooner.
'use strict';
const fs = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;
const { ACTIVE_MUTANT, testFilesLog } = require('./test-files-log.cjs');

class CoveringTestFilesSequencer extends Sequencer {
  /** @param {ConstructorParameters<typeof Sequencer>[0]} options */
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
  }

  /**
   * @override
   * @param {Parameters<Sequencer['sort']>[0]} tests
   */
  sort(tests) {
    const sorted = /** @type {typeof tests} */ (super.sort(tests));
    if (!this.pattern) {
      // The dry run starts the log afresh (its setup file appends to it).
      if (process.env[ACTIVE_MUTANT] === undefined) fs.writeFileSync(testFilesLog(), '');
      return sorted;
    }
    const files = filesWithTestsMatching(new RegExp(this.pattern, 'i'));
    const kept = sorted.filter((test) => files.has(test.path));
    if (kept.length === 0) return sorted;
    return kept.sort((a, b) => (files.get(a.path) ?? 0) - (files.get(b.path) ?? 0));
  }
}

/**
 * The files holding a test the pattern names, each with the dry-run time of those tests.
 * @param {RegExp} pattern
 */
function filesWithTestsMatching(pattern) {
  /** @type {Map<string, number>} */
  const files = new Map();
  if (!fs.existsSync(testFilesLog())) return files;
  for (const line of fs.readFileSync(testFilesLog(), 'utf8').split('\n')) {
    if (!line) continue;
    const { name, file, ms } = JSON.parse(line);
    if (pattern.test(name)) files.set(file, (files.get(file) ?? 0) + (ms ?? 0));
  }
  return files;
}

module.exports = CoveringTestFilesSequencer;
