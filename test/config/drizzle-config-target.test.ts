import fs from 'node:fs';
import path from 'node:path';
import { runCommand } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';

/**
 * `drizzle-kit migrate` with the shipped drizzle.config.ts and neither CIDX_PROGRESS_DB nor
 * CIDX_PROJECT_ID set used to migrate `./cidx-progress.db` in the working directory,
 * silently: a store nobody opens. It refuses now, naming what to set (found by an outside
 * trial). Commands that touch no database (generate, check) still run without them.
 */
const tmp = useTempDir('cidx-drizzle-config-');
const ROOT = path.resolve(__dirname, '..', '..');
const DRIZZLE_KIT = path.join(ROOT, 'node_modules', '.bin', 'drizzle-kit');
const CONFIG = path.join(ROOT, 'drizzle.config.ts');

function envWithout(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: tmp.path };
  for (const key of ['CIDX_PROGRESS_DB', 'CIDX_PROJECT_ID', 'CIDX_HOME']) delete env[key];
  return env;
}

describe('drizzle.config.ts without a target', () => {
  it('refuses `drizzle-kit migrate`, saying what to set, and creates no file', async () => {
    const result = await runCommand(DRIZZLE_KIT, ['migrate', '--config', CONFIG], {
      cwd: tmp.path,
      env: envWithout(),
    });
    expect(result.code).toBe(1);
    const output = result.stdout + result.stderr;
    expect(output).toContain('CIDX_PROGRESS_DB');
    expect(output).toContain('CIDX_PROJECT_ID');
    expect(output).toMatch(/names no store file/);
    expect(fs.existsSync(tmp.join('cidx-progress.db'))).toBe(false);
    expect(fs.readdirSync(tmp.path)).toEqual([]);
  }, 60_000);

  it('migrates the file CIDX_PROGRESS_DB names', async () => {
    const target = tmp.join('named.db');
    const result = await runCommand(DRIZZLE_KIT, ['migrate', '--config', CONFIG], {
      cwd: tmp.path,
      env: { ...envWithout(), CIDX_PROGRESS_DB: target },
    });
    expect(result.code).toBe(0);
    expect(fs.existsSync(target)).toBe(true);
    expect(fs.existsSync(tmp.join('cidx-progress.db'))).toBe(false);
  }, 60_000);
});
