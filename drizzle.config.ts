import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'drizzle-kit';

/**
 * Used by `drizzle-kit generate` in this repository and by `drizzle-kit migrate` during
 * CIDX upgrades. The target file is CIDX_PROGRESS_DB, or the project file for
 * CIDX_PROJECT_ID under CIDX_HOME (default ~/.cidx). The project id rule is the one
 * in src/config/project-id.ts; it is repeated here because an installed package ships
 * this file beside dist/, not src/.
 */
function targetDatabase(): string {
  const explicit = process.env.CIDX_PROGRESS_DB;
  if (explicit) return explicit;
  const projectId = process.env.CIDX_PROJECT_ID;
  if (!projectId) return path.join(process.cwd(), 'cidx-progress.db');
  if (!/^(?!(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$))[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$/i.test(projectId)) {
    throw new Error(`CIDX_PROJECT_ID is not a valid project id: ${JSON.stringify(projectId)}`);
  }
  const home = process.env.CIDX_HOME || path.join(homedir(), '.cidx');
  // drizzle-kit cannot create a file in a missing folder; create it owner-only, as the store would.
  const dir = path.join(home, 'progress');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${projectId}.db`);
}

// drizzle-kit wants folders relative to the working directory; resolving from this
// file's location lets an installed package be migrated from anywhere.
const fromHere = (relative: string) => path.relative(process.cwd(), path.join(__dirname, relative));

export default defineConfig({
  dialect: 'sqlite',
  schema: fromHere('src/schema/index.ts'),
  out: fromHere('drizzle'),
  dbCredentials: { url: targetDatabase() },
});
