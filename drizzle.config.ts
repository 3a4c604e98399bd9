import { lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'drizzle-kit';

/**
 * Used by `drizzle-kit generate` in this repository and by `drizzle-kit migrate` during
 * CIDX upgrades. The target file is CIDX_PROGRESS_DB, or the project file for
 * CIDX_PROJECT_ID under CIDX_HOME (default ~/.cidx); with neither, a command that needs a
 * database is refused (generate and check need none). The project id rule is the one in
 * src/config/project-id.ts and the CIDX_HOME rule the one in src/config/store-paths.ts
 * (`~` expanded, absolute, no control characters); they are repeated here because an
 * installed package ships this file beside dist/, not src/. Keep them in step
 * (test/config/drizzle-config-rules.test.ts compares the two).
 */
function targetDatabase(): string | null {
  const explicit = process.env.CIDX_PROGRESS_DB;
  if (explicit) return refuseLink(path.resolve(explicit));
  const projectId = process.env.CIDX_PROJECT_ID;
  if (!projectId) {
    // Never a default file in the working directory: a store nobody would ever open.
    if (DATABASE_FREE_COMMANDS.has(drizzleKitCommand())) return null;
    throw new Error(
      'drizzle.config.ts names no store file: set CIDX_PROGRESS_DB to the store file ' +
        '(e.g. CIDX_PROGRESS_DB=~/.cidx/progress/acme-api.db), or CIDX_PROJECT_ID to the project id ' +
        '(its file is $CIDX_HOME/progress/{id}.db, CIDX_HOME defaulting to ~/.cidx)',
    );
  }
  if (
    !/^(?!(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$))[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$/i.test(
      projectId,
    )
  ) {
    throw new Error(`CIDX_PROJECT_ID is not a valid project id: ${JSON.stringify(projectId)}`);
  }
  // drizzle-kit cannot create a file in a missing folder; create it owner-only, as the store would.
  const dir = path.join(cidxHome(), 'progress');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return refuseLink(path.join(dir, `${projectId}.db`));
}

/** drizzle-kit commands that read only src/schema and drizzle/ (this repository's own checks). */
const DATABASE_FREE_COMMANDS = new Set(['generate', 'check', 'up', 'drop', 'export']);

/** The drizzle-kit command this config is loaded for: the first word after the program. */
function drizzleKitCommand(): string {
  return process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? '';
}

/** The store never follows a link to its file; neither does a migration. */
function refuseLink(file: string): string {
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new Error(`${file} is a symbolic link; the store never follows links inside its folder`);
  }
  return file;
}

function cidxHome(): string {
  const value = process.env.CIDX_HOME;
  if (!value) return path.join(homedir(), '.cidx');
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) {
    throw new Error(`CIDX_HOME must not contain control characters: ${JSON.stringify(value)}`);
  }
  const startsAtHome = value.startsWith('~/') || value.startsWith(`~${path.sep}`);
  const expanded = value === '~' ? homedir() : startsAtHome ? path.join(homedir(), value.slice(2)) : value;
  if (!path.isAbsolute(expanded))
    throw new Error(`CIDX_HOME must be an absolute path, or start with ~/: ${JSON.stringify(value)}`);
  return path.normalize(expanded);
}

// drizzle-kit wants folders relative to the working directory; resolving from this
// file's location lets an installed package be migrated from anywhere.
const fromHere = (relative: string) => path.relative(process.cwd(), path.join(__dirname, relative));

const target = targetDatabase();

export default defineConfig({
  dialect: 'sqlite',
  schema: fromHere('src/schema/index.ts'),
  out: fromHere('drizzle'),
  ...(target === null ? {} : { dbCredentials: { url: target } }),
});
