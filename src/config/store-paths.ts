import { homedir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors';
import { assertProjectId } from './project-id';

export interface StoreLocationOptions {
  projectId: string;
  /**
   * Folder holding the project files; default `$CIDX_HOME/progress`, else `~/.cidx/progress`.
   * A relative folder is resolved against `cwd` once, here: the store keeps the absolute path.
   */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** What a relative `dir` is relative to (default: the process's working folder now). */
  cwd?: string;
}

export interface StoreLocation {
  projectId: string;
  dir: string;
  dbPath: string;
}

/** C0 and C1 control characters and DEL: never part of a folder anyone meant to name. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** `~` and `~/…` (or `~\…`) name the home folder, as a shell would have made them. */
function expandHome(value: string): string {
  if (value === '~') return homedir();
  if (value.startsWith('~/') || value.startsWith(`~${path.sep}`)) return path.join(homedir(), value.slice(2));
  return value;
}

function refuse(setting: string, message: string): never {
  throw new ValidationError([{ path: setting, message }], `invalid ${setting}`);
}

/**
 * A folder setting as the store uses it: no control characters (a trailing newline left
 * by `$(…)` would otherwise become part of a folder's name), `~` expanded.
 */
function checkedFolder(setting: string, value: string): string {
  if (CONTROL_CHARACTERS.test(value)) {
    refuse(
      setting,
      `must not contain control characters (got ${JSON.stringify(value)}; a trailing newline?)`,
    );
  }
  return expandHome(value);
}

/**
 * `$CIDX_HOME/progress`, else `~/.cidx/progress`. CIDX_HOME must be absolute once `~` is
 * expanded: a relative one would move with the working folder of whichever process
 * opens the store. An empty CIDX_HOME counts as unset. Throws ValidationError naming
 * CIDX_HOME otherwise.
 */
export function defaultProgressDir(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.CIDX_HOME) return path.join(homedir(), '.cidx', 'progress');
  const home = checkedFolder('CIDX_HOME', env.CIDX_HOME);
  if (!path.isAbsolute(home)) {
    refuse('CIDX_HOME', `must be an absolute path, or start with ~/ (got ${JSON.stringify(env.CIDX_HOME)})`);
  }
  return path.join(path.normalize(home), 'progress');
}

export function resolveStoreLocation(options: StoreLocationOptions): StoreLocation {
  const projectId = assertProjectId(options.projectId);
  const dir =
    options.dir === undefined
      ? defaultProgressDir(options.env)
      : path.resolve(options.cwd ?? process.cwd(), checkedFolder('dir', options.dir));
  const dbPath = path.join(dir, `${projectId}.db`);
  // Belt and braces: the id pattern already forbids separators.
  if (path.dirname(dbPath) !== dir) {
    throw new ValidationError([{ path: 'projectId', message: 'resolves outside the base folder' }]);
  }
  return { projectId, dir, dbPath };
}
