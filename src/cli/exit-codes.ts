import { type ProgressErrorCode, ProgressStoreError } from '../errors';

/**
 * Exit codes of `cidx-progress`, the same for every command (documented in the README;
 * scripts depend on them, so they never change meaning).
 */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The store failed (locked past its bound, damaged, disk full, schema too new…). */
  ERROR: 1,
  /** Bad command line: unknown option, bad value, no project id to be found. */
  USAGE: 2,
  /** Nothing to act on: no incomplete sync to resume, no store file for the project. */
  NOT_FOUND: 3,
  /** `doctor` found something wrong (its advice says what to do). */
  UNHEALTHY: 4,
  /** `resume`: the person (or `--choice c`) cancelled; nothing was changed. `status --watch`: the sync was cancelled. */
  CANCELLED: 5,
  /**
   * `demo --interrupt-at`: the demo stopped itself on purpose, as a crash would.
   * `status --watch`: the sync was interrupted (its process ended without finishing it).
   */
  INTERRUPTED: 6,
  /**
   * The store folder holds a link where a store file should be, or a folder or file of
   * another user: refused, nothing touched (UNSAFE_PATH; the message says how to fix it).
   */
  UNSAFE_PATH: 7,
  /** `status --watch`: the sync failed. */
  SYNC_FAILED: 10,
  /** `status --watch` stopped by Ctrl-C (SIGINT); the sync goes on. 128 + 2, as shells report an interrupt. */
  STOPPED: 130,
  /**
   * A reading command (status, history, resume's listing) found a file it will not read
   * as it is: damaged, or waiting for a migration. Nothing was changed; the message names
   * the command that fixes it (`cidx-progress doctor --repair`).
   */
  NEEDS_REPAIR: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the command line reports itself, with the exit code it means. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Stable code for `--json` output. */
    readonly code: string = exitCode === EXIT.USAGE
      ? 'USAGE'
      : exitCode === EXIT.NOT_FOUND
        ? 'NOT_FOUND'
        : exitCode === EXIT.NEEDS_REPAIR
          ? 'NEEDS_REPAIR'
          : 'ERROR',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Store errors with an exit code of their own; every other store error is ERROR (1). */
const STORE_ERROR_EXITS: Partial<Record<ProgressErrorCode, ExitCode>> = {
  VALIDATION: EXIT.USAGE,
  NOT_FOUND: EXIT.NOT_FOUND,
  UNSAFE_PATH: EXIT.UNSAFE_PATH,
};

/** The exit code and the `--json` error code for anything a command threw. */
export function classifyError(error: unknown): { exitCode: ExitCode; code: string; message: string } {
  if (error instanceof CliError)
    return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (error instanceof ProgressStoreError) {
    return {
      exitCode: STORE_ERROR_EXITS[error.code] ?? EXIT.ERROR,
      code: error.code,
      message: error.message,
    };
  }
  return {
    exitCode: EXIT.ERROR,
    code: 'ERROR',
    message: error instanceof Error ? error.message : String(error),
  };
}
