import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEVICE_NAME, PROJECT_ID_PATTERN } from '../config/project-id';
import { CliError, EXIT } from './exit-codes';

const execFileAsync = promisify(execFile);

/** Longest project id (see src/config/project-id.ts). */
const MAX_LENGTH = 128;

/**
 * The project id for a name that may not be one: kept as is when it already fits the
 * project-id pattern; otherwise every run of other characters becomes `-`, leading
 * non-alphanumerics are dropped, and `-` plus the first 8 hex digits of the name's
 * SHA-256 is appended, so two names that clean up the same (`my repo`, `my_repo!`)
 * still get different files. A Windows device name (`nul.txt`) is not kept as is either.
 */
export function projectIdFromName(name: string): string {
  if (PROJECT_ID_PATTERN.test(name)) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let cleaned = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, MAX_LENGTH - hash.length - 1);
  // `nul.txt-<hash>` would still open a device on Windows; `nul-txt-<hash>` does not.
  if (DEVICE_NAME.test(cleaned)) cleaned = cleaned.replace('.', '-');
  return `${cleaned || 'project'}-${hash}`;
}

/**
 * The project a command is about when `--project` is not given: `CIDX_PROJECT_ID` if set
 * (the variable drizzle.config.ts reads too), else the name of the git repository the
 * command runs in: the basename of `git rev-parse --show-toplevel`, through
 * projectIdFromName.
 */
export async function defaultProjectId(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.CIDX_PROJECT_ID) return env.CIDX_PROJECT_ID;
  let topLevel: string;
  try {
    // execFile, never a shell; the environment is passed so GIT_DIR and friends apply.
    const { stdout } = await execFileAsync('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      env,
      encoding: 'utf8',
    });
    topLevel = stdout.trim();
  } catch {
    topLevel = '';
  }
  if (!topLevel) {
    throw new CliError(
      EXIT.USAGE,
      `${cwd} is not inside a git repository, so there is no default project: pass --project <id> or set CIDX_PROJECT_ID`,
    );
  }
  return projectIdFromName(path.basename(topLevel));
}
