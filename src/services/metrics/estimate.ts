import { z } from 'zod';
import { type PhaseDefinition, phasesSchema } from '../../validation/json-columns';

const percent = z.number().min(0).max(100);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * Where a sync stands, as CIDX reports it (a progress update can be passed as is: extra
 * fields are ignored). `phasePercent` defaults to what `percent` and the phase weights
 * imply; `phases` defaults to the newest sync's phase list, else CIDX's defaults.
 */
export const estimateInputSchema = z.object({
  phase: z.string().min(1).max(100),
  percent,
  phasePercent: percent.optional(),
  filesProcessed: count.optional(),
  totalFiles: count.optional(),
  /** Files per second while indexing (the caller's unit elsewhere, so unused there). */
  rate: z.number().finite().nonnegative().optional(),
  phases: phasesSchema.optional(),
});
export type EstimateInput = z.input<typeof estimateInputSchema>;
type Progress = z.infer<typeof estimateInputSchema>;

export interface EstimateHistory {
  phases: readonly PhaseDefinition[];
  /** Mean duration (ms) of each phase over the project's recent completed syncs. */
  meanMs: ReadonlyMap<string, number>;
  /** The phase whose `rate` is in files per second (see indexingPhase). */
  indexingPhase: string | null;
  /** Files per second of that phase over the same syncs; null when unknown. */
  indexingFilesPerSecond: number | null;
}

/**
 * Time left, in ms: the current phase's remainder plus the historical mean of every
 * phase not yet started. In the indexing phase, with a file count, the remainder is the
 * files left at the current rate (else at the project's historical indexing rate, so a
 * resumed first index of 50,000 files is not estimated from small incremental syncs);
 * in any other case it is the phase's historical mean scaled by how much of it is left.
 * Null when any part has nothing to go on (a phase never seen completed): a partial sum
 * would look like an estimate and not be one.
 */
export function estimateRemaining(progress: Progress, history: EstimateHistory): number | null {
  if (progress.percent >= 100) return 0;
  const { phases, meanMs } = history;
  const index = phases.findIndex((p) => p.name === progress.phase);
  if (index < 0) return null;

  let remaining = currentPhaseRemaining(progress, history, index);
  if (remaining === null) return null;
  for (const later of phases.slice(index + 1)) {
    const ms = meanMs.get(later.name);
    if (ms === undefined) return null;
    remaining += ms;
  }
  return Math.round(remaining);
}

function currentPhaseRemaining(progress: Progress, history: EstimateHistory, index: number): number | null {
  const { totalFiles = 0, filesProcessed = 0 } = progress;
  const rate = progress.rate || history.indexingFilesPerSecond || 0;
  if (progress.phase === history.indexingPhase && rate > 0 && totalFiles > 0) {
    return (Math.max(0, totalFiles - filesProcessed) / rate) * 1000;
  }
  const ms = history.meanMs.get(progress.phase);
  if (ms === undefined) return null;
  const done = progress.phasePercent ?? phasePercentFromOverall(history.phases, index, progress.percent);
  return ms * (1 - done / 100);
}

/** How far into phase `index` an overall percent is, from the phase weights (0..100). */
export function phasePercentFromOverall(
  phases: readonly PhaseDefinition[],
  index: number,
  overall: number,
): number {
  const total = phases.reduce((sum, p) => sum + p.weight, 0);
  const before = phases.slice(0, index).reduce((sum, p) => sum + p.weight, 0);
  const width = phases[index]!.weight;
  const into = ((overall / 100) * total - before) / width;
  return Math.min(100, Math.max(0, into * 100));
}
