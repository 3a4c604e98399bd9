import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../errors';
import { parseInput } from '../../validation/parse';
import { currentOwner } from '../liveness';
import type { StoreContext } from '../store-context';
import { FileLedger } from './file-ledger';
import { DEFAULT_PHASES, type StartSyncInput, startSyncInputSchema } from './recording-input';
import type { RecorderInit } from './recorder-init';
import { SyncRecorder } from './sync-recorder';

/** Starts syncs. Everything after the start happens on the returned SyncRecorder. */
export class RecordingService {
  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(private readonly context: StoreContext) {}

  /**
   * Start recording a sync: its row, its owner, and checkpoint 0 (with the planned file
   * list, if given) in one transaction, so a sync killed a moment later is already
   * resumable.
   */
  startSync(input: StartSyncInput = {}): SyncRecorder {
    this.context.assertOpen();
    const options = parseInput(startSyncInputSchema, input, 'startSync');
    const jobId = options.jobId ?? randomUUID();
    const ledger = new FileLedger();
    if (options.files) ledger.plan(options.files, 'files');
    return this.begin({
      jobId,
      lineageId: jobId,
      phases: options.phases ?? DEFAULT_PHASES,
      gitCommit: options.gitCommit ?? null,
      ledger,
      metadata: options.metadata,
      startPhase: (options.phases ?? DEFAULT_PHASES)[0]!.name,
    });
  }

  /**
   * Insert the sync and its first checkpoint, then hand back its recorder. Also used by
   * the resume service inside its own unit of work (which this joins): the ledger counts
   * as saved once that commits, and the recorder forgets itself if it rolls back.
   * @internal
   */
  begin(
    spec: Omit<RecorderInit, 'checkpointSeq' | 'checkpointCreatedAt' | 'startWall'> & {
      resumedFromJobId?: string;
      /** Where checkpoint 0 stands: 0 for a new sync, the resumed checkpoint's progress otherwise. */
      startProgress?: { overall: number; phase: number };
    },
  ): SyncRecorder {
    const { repos, clock } = this.context;
    const startWall = clock.now();
    const owner = currentOwner(startWall);
    const counts = spec.ledger.counts();
    return this.context.write(`start sync ${spec.jobId}`, () => {
      // Damaged or not, a row with this job id is taken.
      if (repos.syncHistory.inspectByJobId(spec.jobId)) {
        throw new ConflictError(`a sync with job id ${spec.jobId} already exists`);
      }
      repos.syncHistory.insert({
        jobId: spec.jobId,
        projectId: this.context.projectId,
        status: 'running',
        startTime: startWall,
        lastActivityAt: startWall,
        lastActivityMono: clock.monotonic(),
        phases: spec.phases,
        currentPhase: spec.startPhase,
        overallProgress: spec.startProgress?.overall ?? 0,
        totalFiles: spec.ledger.size,
        filesProcessed: counts.completed + counts.skipped,
        gitCommit: spec.gitCommit,
        ownerPid: owner.pid,
        ownerHost: owner.host,
        ownerStartedAt: owner.startedAt,
        ownerBootId: owner.bootId,
        resumedFromJobId: spec.resumedFromJobId ?? null,
        metadata: spec.metadata ?? null,
      });
      for (const event of spec.ledger.unsavedEvents()) {
        repos.checkpointFiles.append(spec.lineageId, spec.jobId, 0, event);
      }
      repos.checkpoints.upsert({
        jobId: spec.jobId,
        lineageId: spec.lineageId,
        seq: 0,
        createdAt: startWall,
        updatedAt: startWall,
        gitCommit: spec.gitCommit,
        phase: spec.startPhase,
        phaseProgress: spec.startProgress?.phase ?? 0,
        overallProgress: spec.startProgress?.overall ?? 0,
        phaseStartedAt: startWall,
        filesCompleted: counts.completed,
        filesPending: counts.pending,
        filesSkipped: counts.skipped,
        metadata: {
          metrics: { rate: 0, memoryUsage: 0, cpuPercent: 0 },
          ...(spec.metadata ? { caller: spec.metadata } : {}),
        },
      });
      const sync = new SyncRecorder(this.context, {
        ...spec,
        checkpointSeq: 0,
        checkpointCreatedAt: startWall,
        startWall,
      });
      this.context.onCommit(() => spec.ledger.markSaved());
      this.context.onRollback(() => sync.abandon());
      return sync;
    });
  }
}
