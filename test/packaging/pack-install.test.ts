import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCommand, type ChildResult } from '../support/child-process';

/**
 * The package as a user gets it: `npm run build`, `npm pack`, the tarball installed into an
 * empty folder with `npm install`, and used there (require, import, migrations, the bin,
 * drizzle-kit migrate against the installed drizzle.config.ts, as CIDX upgrades run it, with
 * drizzle-kit installed by the app; a strict TypeScript consumer with skipLibCheck off).
 *
 * Slow: it fetches the dependencies from the registry (~30-60 s here). better-sqlite3's
 * install script runs for real, but by default it finds the native module this checkout
 * already built (a local prebuild made from node_modules/better-sqlite3, same version),
 * since compiling SQLite again takes ~2.5 min on a 2-core machine with no access to the
 * GitHub prebuilds. CIDX_PACK_NATIVE_BUILD=1 installs exactly as a user would, compiling.
 */
const FULL_NATIVE_BUILD = process.env.CIDX_PACK_NATIVE_BUILD === '1';
const MINUTE = 60_000;

let work: string;
let consumer: string;
const timings: Record<string, number> = {};

/** The environment without the npm variables of the `npm test` that may be running this. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  for (const key of ['CIDX_HOME', 'CIDX_PROGRESS_DB', 'CIDX_PROJECT_ID', 'NO_COLOR']) delete env[key];
  return { ...env, ...extra };
}

async function step(
  name: string,
  command: string,
  args: string[],
  cwd: string,
  env = cleanEnv(),
): Promise<ChildResult> {
  const started = Date.now();
  const result = await runCommand(command, args, { cwd, env });
  timings[name] = Date.now() - started;
  if (result.code !== 0)
    throw new Error(`${name} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

const versionOf = (pkg: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/** better-sqlite3's own install looks for `{name}-v{version}-node-v{abi}-{platform}-{arch}.tar.gz` in this folder first. */
async function localPrebuild(dir: string): Promise<NodeJS.ProcessEnv> {
  const version = versionOf('better-sqlite3');
  fs.mkdirSync(dir);
  const tarball = path.join(
    dir,
    `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`,
  );
  await step(
    'local prebuild',
    'tar',
    ['-czf', tarball, 'build/Release/better_sqlite3.node'],
    path.join(REPO_ROOT, 'node_modules', 'better-sqlite3'),
  );
  return cleanEnv({ npm_config_better_sqlite3_local_prebuilds: dir });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cidx-progress-pack-'));
  consumer = path.join(work, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }),
  );

  await step('npm run build', 'npm', ['run', 'build'], REPO_ROOT);
  const packed = await step(
    'npm pack',
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    REPO_ROOT,
  );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];

  const installEnv = FULL_NATIVE_BUILD ? cleanEnv() : await localPrebuild(path.join(work, 'prebuilds'));
  // The same better-sqlite3 as this checkout, so the local prebuild matches; the drizzle-kit CIDX upgrades use.
  const extra = FULL_NATIVE_BUILD ? [] : [`better-sqlite3@${versionOf('better-sqlite3')}`];
  await step(
    'npm install',
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(work, filename),
      ...extra,
      `drizzle-kit@${versionOf('drizzle-kit')}`,
    ],
    consumer,
    installEnv,
  );
}, 20 * MINUTE);

afterAll(() => {
  process.stdout.write(
    `pack-install timings (ms): ${JSON.stringify(timings)}${FULL_NATIVE_BUILD ? ' [native build]' : ''}\n`,
  );
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCommand(command, args, { cwd: consumer, env: cleanEnv(env) });
const node = (script: string, env: NodeJS.ProcessEnv = {}) => {
  const file = path.join(consumer, script.includes('import ') ? 'check.mjs' : 'check.cjs');
  fs.writeFileSync(file, script);
  return run(process.execPath, [file], env);
};
const journalEntries = () =>
  (
    JSON.parse(
      fs.readFileSync(path.join(consumer, 'node_modules/cidx-progress/drizzle/meta/_journal.json'), 'utf8'),
    ) as { entries: unknown[] }
  ).entries.length;

describe('the packed and installed package', () => {
  it('ships dist/, drizzle/, drizzle.config.ts and the bin, and no sources or tests', () => {
    const root = path.join(consumer, 'node_modules', 'cidx-progress');
    for (const file of [
      'dist/index.js',
      'dist/index.mjs',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'bin/cidx-progress.js',
      'drizzle/meta/_journal.json',
      'drizzle.config.ts',
    ]) {
      expect({ file, present: fs.existsSync(path.join(root, file)) }).toEqual({ file, present: true });
    }
    expect(fs.existsSync(path.join(root, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'test'))).toBe(false);
  });

  it("works with require('cidx-progress')", async () => {
    const result = await node(`
      const api = require('cidx-progress');
      console.log(JSON.stringify({ open: typeof api.openProgressStore, error: typeof api.ValidationError, render: typeof api.renderHistoryReport }));
    `);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ open: 'function', error: 'function', render: 'function' });
  });

  it("works with import { openProgressStore } from 'cidx-progress', and the shipped migrations create a store", async () => {
    const dir = path.join(work, 'stores');
    const result = await node(
      `
      import { openProgressStore, ValidationError } from 'cidx-progress';
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require('cidx-progress');
      const Database = require('better-sqlite3');
      const store = openProgressStore({ projectId: 'packed', dir: process.env.DIR });
      const sync = store.recording.startSync({ files: ['a.ts', 'b.ts'] });
      sync.completeFiles(['a.ts', 'b.ts']);
      sync.finish();
      const path = store.path;
      store.close();
      const db = new Database(path, { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
      const migrations = db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get().n;
      const syncs = db.prepare('SELECT status FROM sync_history').all().map((r) => r.status);
      db.close();
      console.log(JSON.stringify({ sameObjects: cjs.ValidationError === ValidationError, tables, migrations, syncs }));
    `,
      { DIR: dir },
    );
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out).toEqual({
      sameObjects: true,
      tables: expect.arrayContaining([
        '__drizzle_migrations',
        'checkpoint_files',
        'checkpoints',
        'progress_updates',
        'store_meta',
        'sync_history',
      ]),
      migrations: journalEntries(),
      syncs: ['completed'],
    });
  });

  it('installs the cidx-progress bin', async () => {
    const help = await run('npx', ['cidx-progress', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cidx-progress');
    const dir = path.join(work, 'bin-store');
    const demo = await run('npx', ['cidx-progress', 'demo', '--dir', dir, '--delay', '0']);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('✓ Sync complete');
    const doctor = await run('npx', ['cidx-progress', 'doctor', '--project', 'demo', '--dir', dir, '--json']);
    expect(doctor.code).toBe(0);
    expect(JSON.parse(doctor.stdout).ok).toBe(true);
  });

  it('type-checks in a strict TypeScript consumer with skipLibCheck off (no driver or ORM types reached)', async () => {
    const app = path.join(consumer, 'strict');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    fs.writeFileSync(
      path.join(app, 'app.ts'),
      [
        "import { openProgressStore, promptResume, readArchive, type ArchivedSync, type HistoryReport, type ResumeInfo, type StoreWarning } from 'cidx-progress';",
        "const store = openProgressStore({ projectId: 'strict', onWarning: (w: StoreWarning) => console.error(w.code) });",
        'const info: ResumeInfo | null = store.resume.checkResumable();',
        "const choice: Promise<'resume' | 'fresh' | 'cancel'> | null = info ? promptResume(info) : null;",
        'const sync = store.recording.startSync({ files: [] });',
        "sync.update({ phase: 'Indexing Files', percent: 50, phasePercent: 10, filesProcessed: 0, totalFiles: 0, rate: 0 });",
        'const report: HistoryReport = store.metrics.report({ days: 7 });',
        "const rows: ArchivedSync[] = readArchive('x');",
        'console.log(choice, report, rows);',
        'store.close();',
        '',
      ].join('\n'),
    );
    // @types/node for the consumer; typescript from this checkout.
    await step(
      'install @types/node',
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', `@types/node@${versionOf('@types/node')}`],
      consumer,
    );
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const listed = await runCommand(process.execPath, [tsc, '-p', app, '--listFilesOnly'], {
      cwd: app,
      env: cleanEnv(),
    });
    expect(listed.stdout).toContain('cidx-progress/dist/index.d.ts');
    expect(listed.stdout).not.toMatch(/better-sqlite3|drizzle-orm|luxon/);
    const checked = await runCommand(process.execPath, [tsc, '-p', app], { cwd: app, env: cleanEnv() });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('exports no drizzle.config module: drizzle-kit takes the file by path', async () => {
    const result = await node(`
      try { require('cidx-progress/drizzle.config'); console.log('loaded'); } catch (error) { console.log(error.code); }
    `);
    expect(result.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    // drizzle-kit is CIDX's to install: the package neither depends on it nor brings it.
    const manifest = JSON.parse(
      fs.readFileSync(path.join(consumer, 'node_modules/cidx-progress/package.json'), 'utf8'),
    ) as Record<string, Record<string, string> | undefined>;
    expect(manifest.dependencies?.['drizzle-kit']).toBeUndefined();
    expect(manifest.peerDependencies?.['drizzle-kit']).toBeUndefined();
  });

  it("the README's upgrade step, as CIDX runs it: drizzle-kit migrate with the installed config and CIDX_PROJECT_ID", async () => {
    const home = path.join(work, 'cidx-home');
    const migrate = await run(
      'npx',
      ['drizzle-kit', 'migrate', '--config', 'node_modules/cidx-progress/drizzle.config.ts'],
      { CIDX_PROJECT_ID: 'acme-api', CIDX_HOME: home },
    );
    expect(migrate.code).toBe(0);
    expect(migrate.stdout + migrate.stderr).toContain('migrations applied successfully');
    const file = path.join(home, 'progress', 'acme-api.db');
    expect(fs.statSync(path.join(home, 'progress')).mode & 0o777).toBe(0o700);
    const result = await node(`
      const { openProgressStore } = require('cidx-progress');
      const store = openProgressStore({ projectId: 'acme-api', dir: ${JSON.stringify(path.join(home, 'progress'))} });
      console.log(store.path);
      store.close();
    `);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(file);
  });

  it('drizzle-kit migrate works with the installed drizzle.config.ts and CIDX_PROGRESS_DB', async () => {
    const target = path.join(work, 'kit', 'migrated.db');
    fs.mkdirSync(path.dirname(target), { mode: 0o700 });
    const migrate = await run(
      'npx',
      ['drizzle-kit', 'migrate', '--config', 'node_modules/cidx-progress/drizzle.config.ts'],
      { CIDX_PROGRESS_DB: target },
    );
    expect(migrate.code).toBe(0);
    expect(migrate.stdout + migrate.stderr).toContain('migrations applied successfully');
    // The store opens the migrated file as up to date (no migration applied twice).
    const result = await node(`
      const { openProgressStore } = require('cidx-progress');
      const Database = require('better-sqlite3');
      const store = openProgressStore({ projectId: 'migrated', dir: ${JSON.stringify(path.dirname(target))} });
      store.close();
      const db = new Database(${JSON.stringify(target)}, { readonly: true });
      console.log(db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get().n);
      db.close();
    `);
    expect(result.stderr).toBe('');
    expect(Number(result.stdout.trim())).toBe(journalEntries());
  });
});
