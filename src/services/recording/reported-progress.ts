/**
 * The progress a recorder has been told, kept by the rules that make it storable: a
 * known phase, never going backwards, phase changes timed, and which reports make a
 * checkpoint due (a 5% boundary crossed or a phase changed). The recorder decides when
 * to write; this says what there is to write.
 */
import { ValidationError } from '../../errors';
import type { PhaseDefinition } from '../../validation/json-columns';
import type { FileLedger } from './file-ledger';
import type { PhaseTimer } from './phase-timer';
import type { ProgressUpdate } from './recording-input';

/** Percent boundaries at which a checkpoint is written. */
const CHECKPOINT_STEP = 5;

/** Said once per sync by the recorder when a report went back. */
export type WentBack = 'percentBack' | 'phaseBack';

export class ReportedProgress {
  latest: ProgressUpdate;
  phaseStartedAt: number;
  /** Unsaved progress since the last write. */
  dirty = false;
  /** A report crossed a 5% boundary or changed phase since the last checkpoint. */
  checkpointDue = false;
  /** The caller's own checkpoint data, latest first given. */
  callerData: Record<string, unknown> | undefined;
  private phaseIndex: number;
  private checkpointBucket = 0;

  /** Starts at `startPhase` with the files the ledger already holds; `wentBack` hears of each rule applied. */
  constructor(
    private readonly phases: PhaseDefinition[],
    private readonly timer: PhaseTimer,
    start: { startPhase: string; startWall: number; ledger: FileLedger },
    private readonly wentBack: (which: WentBack, what: string) => void,
  ) {
    this.phaseIndex = Math.max(
      0,
      phases.findIndex((p) => p.name === start.startPhase),
    );
    timer.enter(phases[this.phaseIndex]!.name);
    this.phaseStartedAt = start.startWall;
    const counts = start.ledger.counts();
    this.latest = {
      phase: phases[this.phaseIndex]!.name,
      percent: 0,
      phasePercent: 0,
      filesProcessed: counts.completed + counts.skipped,
      totalFiles: start.ledger.size,
      rate: 0,
    };
  }

  /** The index of a reported phase; an unknown one is a ValidationError for the caller. */
  indexOf(reported: ProgressUpdate): number {
    const index = this.phases.findIndex((p) => p.name === reported.phase);
    if (index < 0) {
      throw new ValidationError(
        [{ path: 'phase', message: `unknown phase ${JSON.stringify(reported.phase)}` }],
        'update',
      );
    }
    return index;
  }

  /** Take a report (its phase index from indexOf), at the sync's wall time now. */
  accept(reported: ProgressUpdate, reportedIndex: number, wallNow: number): void {
    const { next, index } = this.neverBackwards(reported, reportedIndex);
    if (index !== this.phaseIndex) {
      this.phaseIndex = index;
      this.timer.enter(next.phase);
      this.phaseStartedAt = wallNow;
      this.checkpointDue = true;
    }
    if (next.checkpointData) this.callerData = next.checkpointData;
    this.latest = next;
    this.dirty = true;
    if (Math.floor(next.percent / CHECKPOINT_STEP) > this.checkpointBucket) this.checkpointDue = true;
  }

  /** A checkpoint with the latest progress is committed. */
  checkpointSaved(): void {
    this.checkpointBucket = Math.floor(this.latest.percent / CHECKPOINT_STEP);
    this.checkpointDue = false;
  }

  /**
   * Stored progress never goes down: a percent below the last one (a caller that recounted
   * its total) keeps the last one, and an earlier phase keeps the current phase and its
   * phase percent.
   */
  private neverBackwards(
    reported: ProgressUpdate,
    reportedIndex: number,
  ): { next: ProgressUpdate; index: number } {
    let next = reported;
    let index = reportedIndex;
    if (index < this.phaseIndex) {
      this.wentBack(
        'phaseBack',
        `phase went back from ${JSON.stringify(this.latest.phase)} to ${JSON.stringify(reported.phase)}; kept ${JSON.stringify(this.latest.phase)}`,
      );
      next = { ...next, phase: this.latest.phase, phasePercent: this.latest.phasePercent };
      index = this.phaseIndex;
    }
    if (next.percent < this.latest.percent) {
      this.wentBack(
        'percentBack',
        `percent went back from ${this.latest.percent} to ${reported.percent}; kept ${this.latest.percent}`,
      );
      next = { ...next, percent: this.latest.percent };
    }
    return { next, index };
  }
}
