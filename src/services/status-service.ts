import { wholeMs } from '../clock';
import type { RowDamage } from '../errors';
import { activityAge, isOwnerAlive } from './liveness';
import type { StoreContext } from './store-context';

/**
 * One sync that is not finished with: still running in a live process, or left behind
 * (interrupted, failed or cancelled) with a checkpoint that a resume could use.
 */
export interface SyncStatusEntry {
  jobId: string;
  /** `running`: its process is alive; `interrupted`: it never finished and its process is gone. */
  state: 'running' | 'interrupted' | 'failed' | 'cancelled';
  alive: boolean;
  phase: string | null;
  /** Overall percent last recorded. */
  progress: number;
  filesProcessed: number;
  totalFiles: number;
  startedAt: number;
  lastActivityAt: number;
  /**
   * Time since the sync started (wall clock), and since its last sign of life (the
   * monotonic clock where the recording machine and boot are this one); ms, never negative.
   */
  ageMs: number;
  idleMs: number;
  /** The process recording it; null once it let go (closed its store) or ended. */
  owner: { pid: number; host: string | null } | null;
  hasCheckpoint: boolean;
  resumedFromJobId: string | null;
}

/** What is going on in a project right now: for people (`cidx-progress status`) and monitoring. */
export class StatusService {
  /** @internal Made by openProgressStore; not part of the public API. */
  constructor(private readonly context: StoreContext) {}

  /**
   * The damaged rows among the syncs `list()` looks at (the newest ones of the project):
   * what it passes over, described (table, key, column, why), without a warning. A
   * damaged latest sync is a sync that status must not call "nothing".
   */
  damaged(): RowDamage[] {
    const { repos, projectId } = this.context;
    return this.context.read('list damaged syncs', () =>
      repos.syncHistory
        .inspectResumeCandidates(projectId)
        .flatMap((check) => (check.ok ? [] : [check.damage])),
    );
  }

  /**
   * Running syncs (with liveness) and incomplete ones that still hold a checkpoint,
   * newest first. Incomplete syncs without a checkpoint are history, not status.
   * Damaged rows are left out, each reported once through onWarning.
   */
  list(): SyncStatusEntry[] {
    const { repos, clock, settings, projectId } = this.context;
    const now = clock.now();
    return this.context.read('list sync status', () => {
      const entries: SyncStatusEntry[] = [];
      for (const check of repos.syncHistory.inspectResumeCandidates(projectId)) {
        // A damaged row is passed over and reported once; `doctor` lists it.
        if (!check.ok) {
          this.context.warnDamaged(check.damage);
          continue;
        }
        const row = check.row;
        const alive = row.status === 'running' && isOwnerAlive(row, this.context.clock, settings);
        const hasCheckpoint = repos.checkpoints.findByJobIdRaw(row.jobId) !== null;
        if (!alive && !hasCheckpoint) continue;
        entries.push({
          jobId: row.jobId,
          state:
            row.status === 'running'
              ? alive
                ? 'running'
                : 'interrupted'
              : (row.status as 'failed' | 'cancelled'),
          alive,
          phase: row.currentPhase,
          progress: row.overallProgress,
          filesProcessed: row.filesProcessed,
          totalFiles: row.totalFiles,
          startedAt: row.startTime,
          lastActivityAt: row.lastActivityAt,
          ageMs: wholeMs(now - row.startTime),
          idleMs: wholeMs(activityAge(row, clock)),
          owner: row.ownerPid == null ? null : { pid: row.ownerPid, host: row.ownerHost },
          hasCheckpoint,
          resumedFromJobId: row.resumedFromJobId,
        });
      }
      return entries;
    });
  }
}
