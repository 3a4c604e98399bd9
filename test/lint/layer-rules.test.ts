import { execFileSync } from 'node:child_process';
import path from 'node:path';

// The layer rules live in eslint.config.mjs; these fixtures break each one, so a rule that
// stops firing (a glob that no longer matches, a selector renamed) fails here, not in review.
const root = path.join(__dirname, '..', '..');
const fixtures = path.join(__dirname, 'fixtures');

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

function lintFixtures(): Map<string, string[]> {
  let output: string;
  try {
    output = execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--no-ignore',
        '--format',
        'json',
        fixtures,
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    // eslint exits 1 when it reports errors, which the fixtures are there to produce.
    output = (error as { stdout: string }).stdout;
  }
  const results = JSON.parse(output) as LintResult[];
  return new Map(
    results.map((r) => [path.relative(fixtures, r.filePath), r.messages.map((m) => m.ruleId ?? m.message)]),
  );
}

describe('lint: the layer rules', () => {
  let rules: Map<string, string[]>;
  beforeAll(() => {
    rules = lintFixtures();
  });

  it('refuses driver access and SQL in a service', () => {
    expect(rules.get('src/services/reaches-driver.ts')).toEqual(
      expect.arrayContaining(['no-restricted-imports', 'no-restricted-syntax']),
    );
  });

  it('refuses SQL held as a string or a template in a service', () => {
    expect(rules.get('src/services/writes-sql-text.ts')).toEqual([
      'no-restricted-syntax',
      'no-restricted-syntax',
    ]);
  });

  it('refuses the driver taken out of a connection by destructuring', () => {
    expect(rules.get('src/services/destructures-driver.ts')).toEqual(['no-restricted-syntax']);
  });

  it('refuses driver access in the CLI', () => {
    expect(rules.get('src/cli/reaches-driver.ts')).toEqual(
      expect.arrayContaining(['no-restricted-imports', 'no-restricted-syntax']),
    );
  });

  it('lets prose that only looks like SQL through', () => {
    expect(rules.get('src/services/prose.ts')).toEqual([]);
  });

  it('refuses an async callback passed to the write helper', () => {
    expect(rules.get('src/services/async-write.ts')).toContain('no-restricted-syntax');
  });

  it('refuses a floating promise', () => {
    expect(rules.get('src/services/floating-promise.ts')).toContain(
      '@typescript-eslint/no-floating-promises',
    );
  });

  it('refuses an import upward, from a repository into presentation', () => {
    expect(rules.get('src/repositories/imports-presentation.ts')).toEqual(['no-restricted-imports']);
  });

  it('lets a repository use the driver', () => {
    expect(rules.get('src/repositories/allowed.ts')).toEqual([]);
  });
});
