import { resolveStoreLocation, type StoreLocation } from '../config/store-paths';
import { lstatIfExists } from '../db/file-modes';
import { openProgressStore, type ProgressStore, type ProgressStoreOptions } from '../store';
import { CliError, EXIT } from './exit-codes';
import type { CliIo } from './io';
import { defaultProjectId } from './project';

/** `--project` and `--dir`, which every command takes. */
export interface StoreOptions {
  project?: string;
  dir?: string;
}

/** Which file a command works on. A bad project id is a usage error (exit 2). */
export async function resolveTarget(options: StoreOptions, io: CliIo): Promise<StoreLocation> {
  const projectId = options.project ?? (await defaultProjectId(io.cwd, io.env));
  // --dir relative to the command's working folder; CIDX_HOME checked (a bad one is exit 2).
  return resolveStoreLocation({ projectId, dir: options.dir, env: io.env, cwd: io.cwd });
}

/**
 * Read commands never create a store: a missing file means nothing was recorded yet (exit 3).
 * Looked at with lstat: a link, even to nothing, is there, and the store's open refuses it.
 */
export function requireStoreFile(target: StoreLocation): void {
  if (!lstatIfExists(target.dbPath)) {
    throw new CliError(
      EXIT.NOT_FOUND,
      `no progress store for project ${target.projectId} at ${target.dbPath} (nothing recorded yet; check --project and --dir)`,
    );
  }
}

/**
 * How the commands that look at a store open it: without the maintenance a store runs
 * at open when a day has passed. Looking must stay quick, and `maintain --dry-run` must
 * change nothing; `maintain` runs it explicitly.
 */
export const NO_AUTO_MAINTENANCE: Partial<ProgressStoreOptions> = { autoMaintenance: false };

/** Open the project's store; what it handles without throwing is told on stderr. */
export function openStore(target: StoreLocation, io: CliIo, extra: Partial<ProgressStoreOptions> = {}): ProgressStore {
  return openProgressStore({
    projectId: target.projectId,
    dir: target.dir,
    onWarning: (warning) => io.stderr.write(`warning: ${warning.message}\n`),
    ...extra,
  });
}

/** Run `work` with the store open, closing it however `work` ends. */
export async function withStore<T>(
  target: StoreLocation,
  io: CliIo,
  work: (store: ProgressStore) => Promise<T> | T,
  extra?: Partial<ProgressStoreOptions>,
): Promise<T> {
  const store = openStore(target, io, extra);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
