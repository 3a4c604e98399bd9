import fs from 'node:fs';
import path from 'node:path';
import { FIXTURE_DB, FIXTURE_PROJECT } from '../fixtures/make-v0.1-fixture';
import { REPO_ROOT, runCommand } from './child-process';

const DRIZZLE_KIT = path.join(REPO_ROOT, 'node_modules', '.bin', 'drizzle-kit');

/** A copy of the committed 0.1 fixture file, alone in the new private folder `dir`. */
export function copyFixtureStore(dir: string): { dir: string; dbPath: string } {
  fs.mkdirSync(dir, { mode: 0o700 });
  const dbPath = path.join(dir, `${FIXTURE_PROJECT}.db`);
  fs.copyFileSync(FIXTURE_DB, dbPath);
  fs.chmodSync(dbPath, 0o600);
  return { dir, dbPath };
}

/**
 * `drizzle-kit migrate` on `dbPath`, as a CIDX upgrade runs it: the file named by
 * CIDX_PROGRESS_DB alone (no project id or CIDX home from the test's environment).
 */
export function drizzleKitMigrate(dbPath: string): ReturnType<typeof runCommand> {
  const env: NodeJS.ProcessEnv = { ...process.env, CIDX_PROGRESS_DB: dbPath };
  delete env.CIDX_PROJECT_ID;
  delete env.CIDX_HOME;
  return runCommand(DRIZZLE_KIT, ['migrate'], { cwd: REPO_ROOT, env });
}
