/**
 * The jest configuration StrykerJS uses (`npm run mutate`): only the test folders that
 * exercise the mutated code, no coverage (Stryker measures its own, per test).
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  collectCoverage: false,
  coverageThreshold: undefined,
  testMatch: [
    '<rootDir>/test/services/recording/**/*.test.ts',
    '<rootDir>/test/services/resume/**/*.test.ts',
    '<rootDir>/test/services/retention/**/*.test.ts',
    '<rootDir>/test/db/**/*.test.ts',
    '<rootDir>/test/faults/**/*.test.ts',
  ],
  // The random-kill soak belongs to `npm run soak`; its seeded CI share is too slow to rerun per mutant.
  testPathIgnorePatterns: ['/node_modules/', '/test/faults/crash-resume\\.test\\.ts$'],
};
