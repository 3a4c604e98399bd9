import { resolveStoreLocation, type StoreLocation } from '../config/store-paths';
import { lstatIfExists } from '../db/file-modes';
import { MigrationPendingError } from '../db/open-read-only';
import { CorruptDatabaseError, DamagedMigrationRecordsError } from '../errors';
import {
  openProgressStore,
  openProgressStoreReadOnly,
  type ProgressStore,
  type ProgressStoreOptions,
} from '../store';
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
export function openStore(
  target: StoreLocation,
  io: CliIo,
  extra: Partial<ProgressStoreOptions> = {},
): ProgressStore {
  return openProgressStore({
    projectId: target.projectId,
    dir: target.dir,
    onWarning: (warning) => io.stderr.write(`warning: ${warning.message}\n`),
    ...extra,
  });
}

/**
 * Open the project's store only to read it: nothing is created, migrated, repaired,
 * maintained or moved aside, and no file is left behind (see db/open-read-only). A file
 * that needs repair or migration first is reported with exit 8 (NEEDS_REPAIR) and the command that
 * fixes it. Every reading command opens through here.
 */
export function openStoreReadOnly(target: StoreLocation, io: CliIo): ProgressStore {
  requireStoreFile(target);
  try {
    return openProgressStoreReadOnly({
      projectId: target.projectId,
      dir: target.dir,
      onWarning: (warning) => io.stderr.write(`warning: ${warning.message}\n`),
    });
  } catch (error) {
    // Its message already says what is wrong and that doctor --repair re-records it (the file is not moved aside).
    if (error instanceof DamagedMigrationRecordsError) throw new CliError(EXIT.NEEDS_REPAIR, error.message);
    if (error instanceof CorruptDatabaseError) {
      throw new CliError(
        EXIT.NEEDS_REPAIR,
        `the store file is damaged (${error.message}); nothing was changed. ${REPAIR_ADVICE}`,
      );
    }
    if (error instanceof MigrationPendingError) {
      throw new CliError(EXIT.NEEDS_REPAIR, `${error.message}; nothing was changed. ${MIGRATE_ADVICE}`);
    }
    throw error;
  }
}

const REPAIR_ADVICE =
  '`cidx-progress doctor` shows what is wrong; `cidx-progress doctor --repair` moves the damaged file aside and starts a fresh store';
const MIGRATE_ADVICE =
  'Run `cidx-progress doctor --repair` (or any writing command, such as `cidx-progress maintain`) to migrate it';

/** Run `work` with the store open read-only (openStoreReadOnly), closing it however `work` ends. */
export async function withReadOnlyStore<T>(
  target: StoreLocation,
  io: CliIo,
  work: (store: ProgressStore) => Promise<T> | T,
): Promise<T> {
  const store = openStoreReadOnly(target, io);
  try {
    return await work(store);
  } finally {
    store.close();
  }
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
