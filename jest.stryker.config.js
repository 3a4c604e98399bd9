const path = require('node:path');

/**
 * The jest configuration StrykerJS uses (`npm run mutate`): the test folders of the scope
 * being mutated (MUTATE_SCOPE, as in stryker.config.mjs), no coverage (Stryker measures its
 * own, per test).
 *
 * Why by scope: per-test coverage tells jest which tests to run for a mutant, by name, but
 * jest still loads every test file it matches, and each file loads the instrumented src/ in
 * a module registry of its own (about 0.25 s a file). Over all 87 files of the five folders
 * that was some 20 s before any test of a mutant ran; over one scope's folders it is a third.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

/** @type {Record<string, string[]>} */
const foldersByScope = {
  recording: ['services/recording', 'repositories', 'faults'],
  resume: ['services/resume', 'faults'],
  db: ['db', 'faults'],
  archive: ['services/retention'],
  report: ['services/metrics', 'repositories'],
  trust: ['validation', 'config', 'repositories', 'services/recording', 'services/resume'],
};
const scope = process.env.MUTATE_SCOPE ?? 'all';
const folders = foldersByScope[scope] ?? [...new Set(Object.values(foldersByScope).flat())];

module.exports = {
  ...base,
  collectCoverage: false,
  coverageThreshold: undefined,
  testMatch: folders.map((folder) => `<rootDir>/test/${folder}/**/*.test.ts`),
  // Per mutant, only the files that hold its covering tests (stryker/covering-test-files-sequencer.cjs).
  testSequencer: '<rootDir>/stryker/covering-test-files-sequencer.cjs',
  // A mutant's run stops at its first failing test (Stryker wraps this environment in its own).
  testEnvironment: path.join(__dirname, 'stryker', 'bail-environment.cjs'),
  setupFilesAfterEnv: [...(base.setupFilesAfterEnv ?? []), '<rootDir>/stryker/record-test-files.cjs'],
  // The random-kill soak belongs to `npm run soak`; its seeded CI share is too slow to rerun per mutant.
  testPathIgnorePatterns: ['/node_modules/', '/test/faults/crash-resume\\.test\\.ts$'],
};
