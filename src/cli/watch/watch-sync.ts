import type { StoreLocation } from '../../config/store-paths';
import { closeConnection } from '../../db/connection';
import { openWatchConnection } from '../../db/open-read-only';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import type { Output } from '../output';
import { SyncFollower, type WatchedStatus } from './sync-follower';
import { createWatchView } from './watch-view';

/** What `status --watch` exits with once the sync it follows has ended (README, exit codes). */
export const EXIT_FOR_END: Record<Exclude<WatchedStatus, 'running'>, ExitCode> = {
  completed: EXIT.OK,
  failed: EXIT.SYNC_FAILED,
  cancelled: EXIT.CANCELLED,
  interrupted: EXIT.INTERRUPTED,
};

export interface WatchOptions {
  /** Between two looks, ms. */
  intervalMs: number;
}

/**
 * `status --watch`: follow the project's running sync (recorded by another process)
 * until it ends or the person presses Ctrl-C, reading the store read-only once per
 * interval. No running sync: NOT_FOUND (exit 3), said once.
 */
export async function watchSync(
  target: StoreLocation,
  options: WatchOptions,
  out: Output,
  io: CliIo,
): Promise<ExitCode> {
  const connection = openWatchConnection(target.dbPath);
  try {
    const follower = new SyncFollower(connection, target.projectId);
    const jobId = follower.findRunning();
    if (jobId === null) {
      throw new CliError(
        EXIT.NOT_FOUND,
        `no sync is running for project ${target.projectId} (cidx-progress status lists incomplete ones)`,
        'NOT_RUNNING',
      );
    }
    const view = createWatchView(out);
    let sample = follower.sample(jobId);
    view.begin(target.projectId, sample);
    const pause = new Pause();
    const stopWatching = io.onInterrupt(() => pause.interrupt());
    try {
      for (;;) {
        // The end is reported once, by end(): never also as a progress line.
        if (sample.status !== 'running') {
          const exitCode = EXIT_FOR_END[sample.status];
          view.end(sample, exitCode);
          return exitCode;
        }
        view.show(sample);
        if (await pause.wait(options.intervalMs)) {
          view.stopped(sample, EXIT.STOPPED);
          return EXIT.STOPPED;
        }
        sample = follower.sample(jobId);
      }
    } finally {
      stopWatching();
      pause.cancel();
    }
  } finally {
    closeConnection(connection);
  }
}

/** The wait between two looks, cut short by an interrupt. */
class Pause {
  private interrupted = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** Resolves true when interrupted (now or before), false when the time is up. */
  wait(ms: number): Promise<boolean> {
    if (this.interrupted) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.wake = () => resolve(true);
      this.timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
    });
  }

  interrupt(): void {
    this.interrupted = true;
    this.cancel();
    this.wake?.();
    this.wake = null;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
