import type { Connection } from '../../src/db/connection';
import { runInTransaction } from '../../src/db/transaction';
import { createRepositories, type Repositories } from '../../src/repositories';
import { DEFAULT_PHASES } from '../../src/services/recording/recording-input';
import type { PhaseDefinition, SyncErrorRecord } from '../../src/validation/json-columns';

/** A finished sync with known figures. Only `startTime` is required. */
export interface SyntheticSync {
  jobId?: string;
  startTime: number;
  /** `interrupted`: the process died (never finished) and the sync was given up. */
  status?: 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'running';
  phases?: PhaseDefinition[];
  phaseDurations?: Record<string, number>;
  /** Default: the sum of the phase durations. */
  totalDuration?: number;
  filesIndexed?: number | null;
  filesChanged?: number | null;
  bytesProcessed?: number | null;
  /** For failed syncs: default a network timeout in the last phase that has a duration. */
  error?: { phase?: string | null; code?: string; message: string; file?: string };
  peakMemoryBytes?: number | null;
  meanCpuPercent?: number | null;
}

let counter = 0;

/**
 * Inserts synthetic history through the real repositories (insert, then finish, then
 * the resume transition), so the rows look exactly as the recording service leaves them.
 * Works on any connection to the store file: tests open a second one on `store.path`.
 */
export class HistoryFactory {
  readonly repos: Repositories;

  constructor(
    private readonly connection: Connection,
    private readonly projectId = 'acme-api',
  ) {
    this.repos = createRepositories(connection);
  }

  /** Run many additions in one transaction (fast). */
  batch(work: () => void): void {
    runInTransaction(this.connection.sqlite, work, { name: 'history factory' });
  }

  /** Add one sync; returns its job id. */
  add(sync: SyntheticSync): string {
    return runInTransaction(this.connection.sqlite, () => this.insert(sync, null), {
      name: 'history factory',
    });
  }

  /**
   * Add a resume chain: every run but the last ends as given (failed, cancelled, or
   * `interrupted` = the process died) and is then resumed by the next. Returns the job ids.
   */
  addChain(runs: SyntheticSync[]): string[] {
    return runInTransaction(
      this.connection.sqlite,
      () => {
        const ids: string[] = [];
        runs.forEach((run, i) => {
          const jobId = run.jobId ?? nextJobId();
          const previous = ids[i - 1] ?? null;
          if (previous) {
            const old = this.repos.syncHistory.findByJobId(previous)!;
            this.repos.syncHistory.transition(previous, ['running', 'failed', 'cancelled'], 'resumed', {
              endTime: old.lastActivityAt,
              resumedByJobId: jobId,
            });
          }
          const last = i === runs.length - 1;
          const asRun = !last && run.status === 'interrupted' ? { ...run, status: 'running' as const } : run;
          ids.push(this.insert({ ...asRun, jobId }, previous));
        });
        return ids;
      },
      { name: 'history factory' },
    );
  }

  private insert(sync: SyntheticSync, resumedFromJobId: string | null): string {
    const jobId = sync.jobId ?? nextJobId();
    const phases = sync.phases ?? DEFAULT_PHASES;
    const phaseDurations = sync.phaseDurations ?? Object.fromEntries(phases.map((p) => [p.name, 10_000]));
    const totalDuration = sync.totalDuration ?? Object.values(phaseDurations).reduce((a, b) => a + b, 0);
    const status = sync.status ?? 'completed';
    const endTime = sync.startTime + totalDuration;
    const lastPhase = [...phases].reverse().find((p) => p.name in phaseDurations)?.name ?? phases[0]!.name;
    this.repos.syncHistory.insert({
      jobId,
      projectId: this.projectId,
      startTime: sync.startTime,
      // A run that dies leaves its last sign of life at the end of the work it did.
      lastActivityAt: status === 'running' || status === 'interrupted' ? endTime : sync.startTime,
      phases,
      currentPhase: lastPhase,
      ownerPid: 999_999,
      ownerHost: 'synthetic-host',
      ownerStartedAt: sync.startTime,
      resumedFromJobId,
    });
    if (status === 'running') return jobId;
    if (status === 'interrupted') {
      this.repos.syncHistory.transition(jobId, ['running'], 'interrupted', { endTime });
      return jobId;
    }
    this.repos.syncHistory.finish(jobId, {
      status,
      endTime,
      totalDuration,
      phaseDurations,
      currentPhase: lastPhase,
      overallProgress: status === 'completed' ? 100 : 50,
      filesProcessed: sync.filesIndexed ?? 0,
      totalFiles: sync.filesIndexed ?? 0,
      filesChanged: sync.filesChanged ?? null,
      filesIndexed: sync.filesIndexed === undefined ? 100 : sync.filesIndexed,
      bytesProcessed: sync.bytesProcessed === undefined ? null : sync.bytesProcessed,
      errors: status === 'completed' ? null : [errorRecord(sync, status, lastPhase, endTime)],
      peakMemoryBytes: sync.peakMemoryBytes === undefined ? 100_000_000 : sync.peakMemoryBytes,
      meanCpuPercent: sync.meanCpuPercent === undefined ? 50 : sync.meanCpuPercent,
    });
    // As the recorder does when a sync completes (recorder-writes.ts writeOutcome).
    if (status === 'completed') this.repos.syncFigures.record(jobId);
    return jobId;
  }
}

function errorRecord(
  sync: SyntheticSync,
  status: 'failed' | 'cancelled',
  lastPhase: string,
  at: number,
): SyncErrorRecord {
  if (status === 'cancelled') return { phase: lastPhase, code: 'CANCELLED', message: 'cancelled', at };
  const error = sync.error ?? { code: 'ETIMEDOUT', message: 'Network timeout' };
  return {
    phase: error.phase === undefined ? lastPhase : error.phase,
    code: error.code ?? 'ERROR',
    message: error.message,
    ...(error.file ? { file: error.file } : {}),
    at,
  };
}

function nextJobId(): string {
  counter += 1;
  return `synthetic-${process.pid}-${counter}`;
}
