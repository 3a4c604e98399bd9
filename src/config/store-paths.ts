import { homedir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../errors';
import { assertProjectId } from './project-id';

export interface StoreLocationOptions {
  projectId: string;
  /** Folder holding the project files; default `$CIDX_HOME/progress`, else `~/.cidx/progress`. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface StoreLocation {
  projectId: string;
  dir: string;
  dbPath: string;
}

export function defaultProgressDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CIDX_HOME || path.join(homedir(), '.cidx');
  return path.join(home, 'progress');
}

export function resolveStoreLocation(options: StoreLocationOptions): StoreLocation {
  const projectId = assertProjectId(options.projectId);
  const dir = path.resolve(options.dir ?? defaultProgressDir(options.env));
  const dbPath = path.join(dir, `${projectId}.db`);
  // Belt and braces: the id pattern already forbids separators.
  if (path.dirname(dbPath) !== dir) {
    throw new ValidationError([{ path: 'projectId', message: 'resolves outside the base folder' }]);
  }
  return { projectId, dir, dbPath };
}
