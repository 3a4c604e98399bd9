// Mutation testing (`npm run mutate`, not part of CI): StrykerJS mutates the recording, resume,
// database and archive code and runs the jest tests that cover each mutant. MUTATION.md keeps
// the last score and why each survivor is acceptable. Type-checked by tsconfig.stryker.json.

// One scope at a time (`MUTATE_SCOPE=resume npm run mutate`) finishes sooner than the whole
// set, and only a run that finishes writes its incremental file; each scope keeps its own.
/** @type {Record<string, string[]>} */
const scopes = {
  recording: ['src/services/recording/**/*.ts'],
  resume: ['src/services/resume/**/*.ts'],
  db: ['src/db/**/*.ts'],
  archive: ['src/services/retention/archive*.ts', 'src/services/retention/history-archiver.ts'],
  report: [
    'src/services/metrics/**/*.ts',
    'src/repositories/completed-syncs.ts',
    'src/repositories/sync-figures.repository.ts',
    'src/repositories/sync-stats.repository.ts',
    'src/repositories/window-pass.ts',
  ],
  // What is taken from a caller or from disk, and where the store's files go.
  trust: [
    'src/validation/**/*.ts',
    'src/config/**/*.ts',
    'src/repositories/file-log-codec.ts',
    'src/repositories/checkpoint-files.repository.ts',
  ],
};
const scope = process.env.MUTATE_SCOPE ?? 'all';
if (scope !== 'all' && !(scope in scopes)) {
  throw new Error(`MUTATE_SCOPE must be one of ${Object.keys(scopes).join(', ')} or all, not ${scope}`);
}
const reports = scope === 'all' ? 'reports/mutation' : `reports/mutation/${scope}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: scope === 'all' ? Object.values(scopes).flat() : scopes[scope],
  // Per-test coverage: each mutant only runs the tests that reached it in the jest process.
  // Code that only child processes run (crash and lock children) counts as not covered.
  coverageAnalysis: 'perTest',
  // A static mutant (one that acts while a module loads, like a constant) cannot be switched
  // per test: it reruns every test of the scope, minutes each. They are reported as Ignored.
  ignoreStatic: true,
  // The machine is shared; two test processes at most.
  concurrency: 2,
  // Reruns only test the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile:
    scope === 'all' ? 'reports/stryker-incremental.json' : `reports/stryker-incremental-${scope}.json`,
  // The first full test run measures coverage per test; on a loaded machine it takes minutes.
  dryRunTimeoutMinutes: 30,
  timeoutMS: 20000,
  timeoutFactor: 2,
  ignorePatterns: ['dist', 'coverage', 'reports', '.bench-tmp', '.stryker-tmp*', '*.tgz'],
  // mutant-log (stryker/mutant-log-reporter.mjs) keeps each result as it comes, for runs stopped early.
  plugins: ['@stryker-mutator/*', './stryker/mutant-log-reporter.mjs'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json', 'mutant-log'],
  htmlReporter: { fileName: `${reports}/mutation.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
