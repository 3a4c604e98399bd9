/**
 * The errors that mean "this checkpoint cannot be used", as opposed to "the store is
 * unwell": a resume that meets one offers a full sync instead of failing. Internal, never
 * thrown to a caller (so not a ProgressStoreError, and not exported by the package).
 */
export abstract class UntrustedCheckpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The file log does not read back as it was written, or disagrees with its checkpoint. */
export class InconsistentFileLogError extends UntrustedCheckpointError {
  constructor(detail: string) {
    super(`file log: ${detail}`);
  }

  /** The checkpoint's counts of completed, pending and skipped files are not its log's. */
  static countsDiffer(checkpoint: FileCountsLike, log: FileCountsLike): InconsistentFileLogError {
    const show = (c: FileCountsLike) => `${c.completed}/${c.pending}/${c.skipped}`;
    return new InconsistentFileLogError(
      `the checkpoint counts (${show(checkpoint)}) do not match its file log (${show(log)})`,
    );
  }
}

interface FileCountsLike {
  completed: number;
  pending: number;
  skipped: number;
}

/** The checkpoint's commit cannot be built on: the plan must say a full sync is needed. */
export class UnusableCommitError extends UntrustedCheckpointError {}
