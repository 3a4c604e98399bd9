/** Kept apart so SyncRecorder reads as its state machine: this is the bookkeeping behind each write (sequence, throttle, retry). */
import { wholeMs } from '../../clock';
import { ConflictError } from '../../errors';
import type { StoreContext } from '../store-context';
import type { PhaseTimer } from './phase-timer';
import type { ProcessSampler } from './process-sampler';
import type { RecorderInit } from './recorder-init';
import type { RecorderNotices } from './recorder-notices';
import { checkpointMetadata, type RecorderSnapshot, writeCheckpoint, writeProgress } from './recorder-writes';
import type { ReportedProgress } from './reported-progress';

/** The parts of a SyncRecorder that its writes read. */
export interface PersistenceParts {
  timer: PhaseTimer;
  sampler: ProcessSampler;
  progress: ReportedProgress;
  notices: RecorderNotices;
  startMono: number;
  /** Another process took the sync over: the recorder stops recording. */
  onLost: () => void;
}

/** Writes a recorder's progress rows and checkpoints, and remembers when it last did. */
export class RecorderPersistence {
  private checkpointSeq: number;
  /** When the last write committed (monotonic ms). */
  lastWriteMono: number;
  /** After a failed write, nothing is tried again before this (monotonic ms). */
  retryAtMono = 0;

  constructor(
    private readonly context: StoreContext,
    private readonly init: RecorderInit,
    private readonly parts: PersistenceParts,
  ) {
    this.checkpointSeq = init.checkpointSeq;
    this.lastWriteMono = parts.startMono;
  }

  /** Write a progress row, or a checkpoint (with its progress row). Returns whether it committed. */
  persist(checkpoint: boolean): boolean {
    const mono = this.context.clock.monotonic();
    try {
      if (checkpoint) this.writeCheckpoint();
      else writeProgress(this.context, this.snapshot());
      this.parts.progress.dirty = false;
      this.lastWriteMono = mono;
      return true;
    } catch (error) {
      // Try again after a throttle interval, with whatever is latest by then.
      this.retryAtMono = mono + this.context.settings.throttleMs;
      if (error instanceof ConflictError) {
        this.parts.notices.ownershipLost(error);
        this.parts.onLost();
      } else {
        this.parts.notices.notSaved(checkpoint ? 'checkpoint' : 'progress', error);
      }
      return false;
    }
  }

  /** The recorder's state now, for a write. */
  snapshot(): RecorderSnapshot {
    const mono = this.context.clock.monotonic();
    const elapsedMs = wholeMs(mono - this.parts.startMono);
    return {
      jobId: this.init.jobId,
      lineageId: this.init.lineageId,
      at: this.init.startWall + elapsedMs,
      elapsedMs,
      mono,
      progress: this.parts.progress.latest,
      phaseStartedAt: this.parts.progress.phaseStartedAt,
      phaseDurations: this.parts.timer.durations(),
      gitCommit: this.init.gitCommit,
      checkpointCreatedAt: this.init.checkpointCreatedAt,
    };
  }

  private writeCheckpoint(): void {
    const seq = this.checkpointSeq + 1;
    const { progress } = this.parts;
    const metadata = checkpointMetadata(
      this.parts.sampler.metrics(progress.latest.rate),
      progress.callerData ?? this.init.metadata,
    );
    writeCheckpoint(this.context, this.snapshot(), { seq, ledger: this.init.ledger, metadata });
    this.checkpointSeq = seq;
    progress.checkpointSaved();
  }
}
