import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SyncRecorder } from '../../services/recording/sync-recorder';
import type { ProgressView } from './progress-view';

/**
 * The demo's phases: CIDX's six, with indexing weighted at 70% (CIDX: 45%) so that an
 * interrupt at 40% lands in the middle of indexing, where a resume has files to skip.
 */
export const DEMO_PHASES = [
  { name: 'Initializing', weight: 0.02 },
  { name: 'Git Fetch', weight: 0.1 },
  { name: 'Git Merge', weight: 0.05 },
  { name: 'Detecting Changes', weight: 0.03 },
  { name: 'Indexing Files', weight: 0.7 },
  { name: 'Validating Index', weight: 0.1 },
];

const INDEXING = 'Indexing Files';
/** Progress steps shown for each phase that has no files to walk. */
const STEPS_PER_PHASE = 6;

export interface SimulationSpec {
  repoDir: string;
  sync: SyncRecorder;
  /** Where this run starts: the first phase, or the resume plan's start phase. */
  startPhase: string;
  /** Overall percent already reached (the checkpoint's, when resuming): progress never goes below it. */
  floorPercent: number;
  /** Files this run indexes, in order. */
  files: string[];
  /** Files indexed by an earlier run (skipped thanks to the checkpoint). */
  filesAlreadyDone: number;
  /** Pause per step, so a person can watch. */
  delayMs: number;
  /** Overall percent at which to stop the process, or null. */
  interruptAt: number | null;
  /** Called once the interrupt percent is reached and recorded: must end the process. */
  interrupt(percent: number): never;
  view: ProgressView;
}

export interface SimulationResult {
  filesIndexed: number;
  bytesProcessed: number;
}

/**
 * Walk the phases the way CIDX reports them: progress for every step, files marked done
 * one by one while indexing (the recorder decides what reaches the disk: a progress row
 * per second, a checkpoint per 5%).
 */
export async function simulateSync(spec: SimulationSpec): Promise<SimulationResult> {
  const { sync, view } = spec;
  const startIndex = Math.max(
    0,
    DEMO_PHASES.findIndex((p) => p.name === spec.startPhase),
  );
  const total = spec.filesAlreadyDone + spec.files.length;
  let done = spec.filesAlreadyDone;
  let bytes = 0;
  let phaseStart = DEMO_PHASES.slice(0, startIndex).reduce((sum, p) => sum + p.weight * 100, 0);
  let reported = spec.floorPercent;
  // A run resumed at or past the percent asked for is interrupted once it moves on: a
  // second `--interrupt-at 40` on the same project still shows the crash.
  const interruptAt = spec.interruptAt;
  const interruptNow =
    interruptAt === null
      ? () => false
      : spec.floorPercent < interruptAt
        ? (percent: number) => percent >= interruptAt
        : (percent: number) => percent > spec.floorPercent;

  const report = (phase: string, phasePercent: number, rate: number) => {
    const weight = DEMO_PHASES.find((p) => p.name === phase)!.weight * 100;
    // Rounded to 0.01 so 100 is reached exactly; never below what was reached before.
    reported = Math.max(
      reported,
      Math.min(100, Math.round((phaseStart + (weight * phasePercent) / 100) * 100) / 100),
    );
    sync.update({ phase, percent: reported, phasePercent, filesProcessed: done, totalFiles: total, rate });
    view.update(reported, { phase, filesDone: done, filesTotal: total });
    if (interruptNow(reported)) {
      view.stop();
      spec.interrupt(reported);
    }
  };

  // Files changed after a checkpoint taken past indexing are indexed where the run starts.
  const walkIn =
    startIndex > DEMO_PHASES.findIndex((p) => p.name === INDEXING) ? DEMO_PHASES[startIndex]!.name : INDEXING;
  for (const phase of DEMO_PHASES.slice(startIndex)) {
    if (phase.name === walkIn) {
      const byFiles = phase.name === INDEXING;
      const started = performance.now();
      const phasePercent = () => (byFiles && total > 0 ? (100 * done) / total : 0);
      report(phase.name, phasePercent(), 0);
      for (const file of spec.files) {
        await sleep(spec.delayMs);
        bytes += fileSize(path.join(spec.repoDir, file));
        sync.completeFiles([file]);
        done++;
        const seconds = (performance.now() - started) / 1000;
        report(phase.name, phasePercent(), seconds > 0 ? (done - spec.filesAlreadyDone) / seconds : 0);
      }
    }
    if (phase.name !== INDEXING) {
      for (let step = 0; step <= STEPS_PER_PHASE; step++) {
        if (step > 0) await sleep(spec.delayMs);
        report(phase.name, (100 * step) / STEPS_PER_PHASE, 0);
      }
    } else {
      report(phase.name, 100, 0);
    }
    phaseStart += phase.weight * 100;
  }
  view.stop();
  return { filesIndexed: done - spec.filesAlreadyDone, bytesProcessed: bytes };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // deleted since it was planned: nothing to read
  }
}
