/**
 * What a recorder tells the caller through onWarning instead of throwing into its sync
 * loop: calls ignored after the end, progress that went back (each once per sync), and
 * writes that did not commit.
 */
import { ProgressStoreError } from '../../errors';
import type { StoreContext } from '../store-context';
import type { RecorderState } from './recorder-init';
import type { WentBack } from './reported-progress';

export class RecorderNotices {
  /** What has been said already: each is said once per sync, not once per call. */
  private readonly said = { notRecording: false, percentBack: false, phaseBack: false, repeated: false };

  constructor(
    private readonly context: StoreContext,
    private readonly jobId: string,
  ) {}

  /** A recording call ignored: the sync ended, was taken over, or the store closed. */
  notRecording(call: string, state: RecorderState): void {
    if (this.said.notRecording) return;
    this.said.notRecording = true;
    const why = this.context.isClosed
      ? 'the store is closed'
      : state === 'detached'
        ? 'the sync is no longer recorded here (another process resumed it)'
        : `the sync has ended (${state})`;
    this.context.warn({
      code: 'NOT_RECORDING',
      message: `sync ${this.jobId}: ${call}() ignored: ${why}; later recording calls are ignored without a warning`,
    });
  }

  /** Files named again after they were finished: passed over, said once per sync. */
  repeated(call: string, count: number): void {
    if (count === 0 || this.said.repeated) return;
    this.said.repeated = true;
    this.context.warn({
      code: 'REPEATED_FILES',
      message: `sync ${this.jobId}: ${call}() named ${count} file already finished (or named twice); passed over, said once per sync`,
    });
  }

  wentBack(which: WentBack, what: string): void {
    if (this.said[which]) return;
    this.said[which] = true;
    this.context.warn({
      code: 'WENT_BACKWARDS',
      message: `sync ${this.jobId}: ${what} (said once per sync)`,
    });
  }

  /** Another process took the sync over: found by a write (its error) or by the heartbeat. */
  ownershipLost(error?: Error): void {
    if (error) this.context.warn({ code: 'OWNERSHIP_LOST', message: error.message, error });
    else
      this.context.warn({
        code: 'OWNERSHIP_LOST',
        message: `sync ${this.jobId} was taken over by another process`,
      });
  }

  /** Something not written that the caller should hear of; with the error when there was one. */
  storage(what: string, error?: unknown): void {
    if (error === undefined) this.context.warn({ code: 'STORAGE', message: what });
    else this.context.warn({ code: 'STORAGE', message: `${what}: ${(error as Error).message}`, error });
  }

  /** A write that did not commit; the latest state is written at the next try. */
  notSaved(what: 'checkpoint' | 'progress', error: unknown): void {
    const code = error instanceof ProgressStoreError ? error.code : 'STORAGE';
    this.context.warn({
      code,
      message: `${what} of ${this.jobId} not saved (${(error as Error).message}); the latest state is kept and retried`,
      error,
    });
  }
}
