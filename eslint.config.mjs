// @ts-check
/**
 * Lint rules, including the layer rules of the architecture (README, "Architecture"):
 * schema → db → repositories → services → store → presentation → cli. What a reviewer
 * would otherwise have to remember is written here, so a change that breaks a layer fails CI.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Text that opens an SQL statement (upper case, as this code base writes SQL). */
const SQL_TEXT = String.raw`/^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA|VACUUM|CREATE|DROP|ALTER|BEGIN|COMMIT|ROLLBACK|WITH)\b/`;

/** Only db/ and repositories/ talk to the driver or write SQL. */
const DRIVER_ACCESS = [
  {
    selector: "MemberExpression[property.name='sqlite']",
    message: 'The driver is reached only in src/db and src/repositories: add a repository method.',
  },
  {
    selector: "ObjectPattern > Property[key.name='sqlite']",
    message: 'The driver is reached only in src/db and src/repositories: add a repository method.',
  },
  {
    selector: "TaggedTemplateExpression[tag.name='sql']",
    message: 'SQL lives in src/db and src/repositories: add a repository method.',
  },
  // A string (or template) that starts like a statement is SQL, whatever runs it.
  {
    selector: `Literal[value=${SQL_TEXT}]`,
    message: 'SQL lives in src/db and src/repositories: add a repository method.',
  },
  {
    selector: `TemplateLiteral > TemplateElement[value.raw=${SQL_TEXT}]`,
    message: 'SQL lives in src/db and src/repositories: add a repository method.',
  },
];

/** better-sqlite3 runs a transaction callback synchronously; an async one commits half its work. */
const ASYNC_TRANSACTION_CALLBACK = {
  selector:
    'CallExpression[callee.property.name=/^(write|read|transaction|runInTransaction|immediate)$/] > :function[async=true]',
  message:
    'Transaction callbacks must be synchronous (better-sqlite3 commits what follows an await outside it).',
};

const restrictedImports = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

const NO_PRESENTATION_OR_CLI = {
  group: ['**/cli', '**/cli/**', '**/presentation', '**/presentation/**'],
  message: 'Lower layers never import presentation or the CLI.',
};
const NO_DRIVER = {
  group: ['better-sqlite3', 'drizzle-orm', 'drizzle-orm/*'],
  message: 'Only src/db, src/repositories and src/schema use the driver or drizzle.',
};
const NO_SERVICES = {
  group: ['**/services', '**/services/**', '**/store'],
  message: 'Repositories and db never import services or the store.',
};

/** Each layer's files, and the lint fixtures that stand in for them (test/lint). */
const layer = (...globs) => globs.flatMap((g) => [g, `test/lint/fixtures/${g}`]);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      '.stryker-tmp*/**',
      'reports/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      'test/lint/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ASYNC_TRANSACTION_CALLBACK],
    },
  },
  {
    files: layer('src/schema/**/*.ts', 'src/db/**/*.ts', 'src/repositories/**/*.ts'),
    rules: restrictedImports(NO_PRESENTATION_OR_CLI, NO_SERVICES),
  },
  {
    files: layer(
      'src/services/**/*.ts',
      'src/store.ts',
      'src/config/**/*.ts',
      'src/validation/**/*.ts',
      'src/clock.ts',
      'src/errors.ts',
    ),
    rules: {
      ...restrictedImports(NO_PRESENTATION_OR_CLI, NO_DRIVER),
      'no-restricted-syntax': ['error', ASYNC_TRANSACTION_CALLBACK, ...DRIVER_ACCESS],
    },
  },
  {
    files: layer('src/presentation/**/*.ts', 'src/cli/**/*.ts', 'src/index.ts'),
    rules: {
      ...restrictedImports(NO_DRIVER),
      'no-restricted-syntax': ['error', ASYNC_TRANSACTION_CALLBACK, ...DRIVER_ACCESS],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['test/lint/fixtures/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  prettier,
);
