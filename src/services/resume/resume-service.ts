import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors';
import type { CheckpointRow, SyncHistoryRow } from '../../schema';
import { isResumableStatus, RESUMABLE_STATUSES } from '../../schema/sync-status';
import { parseInput } from '../../validation/parse';
import { describeDamage } from '../../validation/rows';
import { salvageSyncRow } from '../damaged-sync';
import { dropCheckpoint } from '../drop-checkpoint';
import { activityAge, isOwnerAlive } from '../liveness';
import { FileLedger } from '../recording/file-ledger';
import { jobIdSchema } from '../recording/recording-input';
import type { RecordingService } from '../recording/recording-service';
import type { SyncRecorder } from '../recording/sync-recorder';
import type { StoreContext } from '../store-context';
import type { FileChange } from './git-changes';
import { assertClaimable, supersedeOlder } from './resume-guards';
import {
  describeResumable,
  isUntrustworthy,
  loadCheckpointRow,
  prepareCheckpoint,
  resumeSourceSchema,
  type UsableCheckpoint,
} from './resume-checkpoint';
import type { ResumeInfo } from './resume-info';
import type { ResumePlan } from './resume-plan';

/** Where the changes since the checkpoint come from: git itself, or the caller's own diff. */
export type ResumeSource = { repoDir: string } | { changes: FileChange[]; headCommit?: string };

/** How many of the latest syncs are looked at to find the one that decides. */
const RECENT_SYNCS = 20;

export interface Resumed {
  plan: ResumePlan;
  sync: SyncRecorder;
}

/** A better estimate of the time left than the sync's own pace (from the project's history); null when it has none. */
export type ResumeEstimator = (info: ResumeInfo) => number | null;

export class ResumeService {
  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(
    private readonly context: StoreContext,
    private readonly recording: RecordingService,
    private readonly estimator: ResumeEstimator,
  ) {}

  /**
   * The latest sync of the project, if it is incomplete and was active in the last 24
   * hours. Syncs still running in a live process are passed over (they are not
   * interrupted); any finished sync after an interrupted one supersedes it.
   *
   * A damaged row never throws here. A damaged latest sync is offered as it stands, with
   * `canResume: false` and the damage as the reason, so the caller starts fresh (which
   * settles it) rather than resuming an older sync it superseded; a later sync supersedes
   * it as usual. A damaged checkpoint, or one that does not fit its sync (a phase the sync
   * does not have, a commit that is not a full object id), gives `canResume: false` too.
   * Each damaged row is reported once through onWarning.
   */
  checkResumable(): ResumeInfo | null {
    const { repos, clock, settings, projectId } = this.context;
    // Stryker disable next-line StringLiteral: the name shows only in the error of a read that fails, which a WAL read here does not
    return this.context.read('check resumable', () => {
      for (const check of repos.syncHistory.listRecent(projectId, RECENT_SYNCS)) {
        if (!check.ok) this.context.warnDamaged(check.damage);
        const row = salvageSyncRow(check, clock.now());
        // Not even its job id can be trusted: nothing can be offered in its place.
        if (row === null) return null;
        if (row.status === 'running' && isOwnerAlive(row, clock, settings)) continue;
        if (!isResumableStatus(row.status)) return null;
        const loaded = check.ok
          ? this.loadCheckpointRow(row)
          : { checkpoint: null, problem: describeDamage(check.damage) };
        if (row.status !== 'running' && loaded.checkpoint === null && loaded.problem === null) return null;
        if (activityAge(row, clock) > settings.resumeWindowMs) return null;
        return this.describe(row, loaded);
      }
      return null;
    });
  }

  /**
   * Take over an incomplete sync: exactly once, however many processes try at the same
   * moment. Returns the plan and the recorder of the new sync that carries on the work.
   * When the checkpoint cannot be trusted (damaged, or its commit is gone from history)
   * the plan says a full sync is required and why, and the new sync starts from zero.
   */
  resume(jobId: string, source?: ResumeSource): Resumed {
    this.context.assertOpen();
    parseInput(jobIdSchema, jobId, 'resume');
    const from = parseInput(resumeSourceSchema, source, 'resume');
    const check = this.context.repos.syncHistory.inspectByJobId(jobId);
    if (!check) throw new NotFoundError(`no sync with job id ${jobId}`);
    // The row was found by this job id, so its job id is good and salvage keeps it.
    const row = salvageSyncRow(check, this.context.clock.now())!;
    assertClaimable(this.context, row);

    let usable: UsableCheckpoint | null = null;
    let reason: string | null = check.ok ? null : describeDamage(check.damage);
    if (check.ok) {
      try {
        usable = this.prepare(row, from);
      } catch (error) {
        // Stryker disable next-line ConditionalExpression: prepare throws nothing else a test can provoke (a failing read needs a fault injector)
        if (!isUntrustworthy(error)) throw error;
        reason = (error as Error).message;
      }
    }

    try {
      // The new sync's recorder forgets itself if this rolls back (see RecordingService.begin).
      return this.context.write(`resume ${jobId}`, () => {
        // Read again under the write lock: another process may have claimed or removed it meanwhile.
        const current = this.context.repos.syncHistory.inspectByJobId(jobId);
        if (!current) throw new NotFoundError(`no sync with job id ${jobId}`);
        assertClaimable(this.context, salvageSyncRow(current, this.context.clock.now())!);
        // Stryker disable next-line ConditionalExpression: equivalent, settling changes only a row whose status is none of ours
        if (!current.ok) this.context.repos.syncHistory.settleUnknownStatus(jobId);
        const newJobId = randomUUID();
        return usable ? this.claim(row, usable, newJobId) : this.abandon(row, reason!, newJobId, from);
      });
    } catch (error) {
      // A resume that fails midway leaves the store as startFresh would; a lost race does not.
      if (!(error instanceof ConflictError)) this.tryStartFresh(jobId);
      throw error;
    }
  }

  /**
   * Give up an incomplete sync: its checkpoint is removed. One left running by a process
   * that is gone is recorded as interrupted; a failed or cancelled one keeps that outcome,
   * since the person chose to start over knowing how it ended.
   */
  startFresh(jobId: string): void {
    parseInput(jobIdSchema, jobId, 'startFresh');
    const { repos, clock, settings } = this.context;
    this.context.write(`start fresh from ${jobId}`, () => {
      const check = repos.syncHistory.inspectByJobId(jobId);
      if (!check) throw new NotFoundError(`no sync with job id ${jobId}`);
      // A damaged row can be given up too: that is how a caller gets past it.
      const row = salvageSyncRow(check, clock.now())!;
      // Stryker disable next-line ConditionalExpression: equivalent, settling changes only a row whose status is none of ours
      if (!check.ok) repos.syncHistory.settleUnknownStatus(jobId);
      if (row.status === 'resumed')
        throw new ConflictError(`sync ${jobId} was already resumed by ${row.resumedByJobId}`);
      if (row.status === 'running') {
        if (isOwnerAlive(row, clock, settings))
          throw new ConflictError(`sync ${jobId} is still running in process ${row.ownerPid}`);
        repos.syncHistory.transition(jobId, ['running'], 'interrupted', { endTime: row.lastActivityAt });
      }
      dropCheckpoint(repos, jobId);
    });
  }

  private prepare(row: SyncHistoryRow, from: z.infer<typeof resumeSourceSchema>): UsableCheckpoint {
    return prepareCheckpoint(this.context, row, from);
  }

  /** The checkpoint is good: the old sync becomes `resumed`, the new one carries its lineage on. */
  private claim(row: SyncHistoryRow, usable: UsableCheckpoint, newJobId: string): Resumed {
    const { repos } = this.context;
    const { checkpoint, ledger } = usable;
    if (repos.checkpoints.findByJobIdRaw(row.jobId)?.seq !== checkpoint.seq) {
      throw new ConflictError(`the checkpoint of ${row.jobId} changed while resuming`);
    }
    const claimed = repos.syncHistory.transition(row.jobId, RESUMABLE_STATUSES, 'resumed', {
      endTime: row.lastActivityAt,
      resumedByJobId: newJobId,
    });
    // Unreachable while assertClaimable, under the same write lock, admits only resumable
    // statuses of a trusted row; kept as the guard should the two ever disagree.
    // Stryker disable next-line all: the guard above cannot be reached by a test
    if (!claimed) throw new ConflictError(`sync ${row.jobId} was resumed by another process`);
    supersedeOlder(this.context, row);
    repos.checkpoints.delete(row.jobId);
    const phaseNames = row.phases.map((p) => p.name);
    const startIndex = Math.max(0, phaseNames.indexOf(checkpoint.phase));
    const sync = this.recording.begin({
      jobId: newJobId,
      lineageId: checkpoint.lineageId,
      phases: row.phases,
      gitCommit: usable.head ?? checkpoint.gitCommit,
      ledger,
      metadata: checkpoint.metadata.caller,
      startPhase: phaseNames[startIndex]!,
      resumedFromJobId: row.jobId,
      startProgress: { overall: checkpoint.overallProgress, phase: checkpoint.phaseProgress },
    });
    const plan: ResumePlan = {
      resumedJobId: row.jobId,
      jobId: newJobId,
      fullSyncRequired: false,
      reason: null,
      skipPhases: phaseNames.slice(0, startIndex),
      startPhase: phaseNames[startIndex]!,
      filesToProcess: usable.filesToProcess,
      filesToRemove: usable.filesToRemove,
      filesSkipped: ledger.counts().completed,
      fromCommit: checkpoint.gitCommit,
      toCommit: usable.head,
    };
    return { plan, sync };
  }

  /**
   * The checkpoint cannot be used: a fresh sync starts, and the old one, abandoned, ends
   * `interrupted` whatever it was (running, failed or cancelled), so history counts it as
   * an interrupted sync beside the new one, not as a failure.
   */
  private abandon(
    row: SyncHistoryRow,
    reason: string,
    newJobId: string,
    from: z.infer<typeof resumeSourceSchema>,
  ): Resumed {
    const { repos } = this.context;
    const endTime = row.endTime ?? row.lastActivityAt;
    if (!repos.syncHistory.transition(row.jobId, RESUMABLE_STATUSES, 'interrupted', { endTime })) {
      // A damaged row is salvaged as `running` when its owner cannot be read, whatever its
      // stored status: one that ended is not taken over.
      const stored = repos.syncHistory.storedStatus(row.jobId);
      throw new ConflictError(`sync ${row.jobId} can no longer be resumed: its stored status is ${stored}`);
    }
    dropCheckpoint(repos, row.jobId);
    supersedeOlder(this.context, row);
    const head = from && 'headCommit' in from ? (from.headCommit ?? null) : null;
    const sync = this.recording.begin({
      jobId: newJobId,
      lineageId: newJobId,
      phases: row.phases,
      gitCommit: head,
      ledger: new FileLedger(),
      metadata: undefined,
      startPhase: row.phases[0]!.name,
    });
    const plan: ResumePlan = {
      resumedJobId: row.jobId,
      jobId: newJobId,
      fullSyncRequired: true,
      reason: `full sync required: ${reason}`,
      skipPhases: [],
      startPhase: row.phases[0]!.name,
      filesToProcess: [],
      filesToRemove: [],
      filesSkipped: 0,
      fromCommit: row.gitCommit,
      toCommit: head,
    };
    return { plan, sync };
  }

  private loadCheckpointRow(row: SyncHistoryRow): {
    checkpoint: CheckpointRow | null;
    problem: string | null;
  } {
    return loadCheckpointRow(this.context, row);
  }

  private describe(
    row: SyncHistoryRow,
    loaded: { checkpoint: CheckpointRow | null; problem: string | null },
  ): ResumeInfo {
    return describeResumable(row, loaded, this.estimator);
  }

  private tryStartFresh(jobId: string): void {
    try {
      this.startFresh(jobId);
    } catch (error) {
      this.context.warn({
        code: 'STORAGE',
        message: `could not clear ${jobId} after a failed resume`,
        error,
      });
    }
  }
}
