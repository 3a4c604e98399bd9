import type { FileLedger } from '../recording/file-ledger';
import type { FileChange } from './git-changes';

/** What a resumed sync has to do, and what it may skip. */
export interface ResumePlan {
  /** The interrupted sync this plan continues. */
  resumedJobId: string;
  /** The new sync that carries on the work (its recorder is returned beside the plan). */
  jobId: string;
  fullSyncRequired: boolean;
  /** Why a full sync is required; null when the checkpoint is used. */
  reason: string | null;
  /** Phases finished before the interruption, in order. */
  skipPhases: string[];
  startPhase: string;
  /** Pending files plus files added, modified or renamed-to since the checkpoint's commit. */
  filesToProcess: string[];
  /** Indexed files deleted or renamed away since: remove them from the index. */
  filesToRemove: string[];
  /** Completed files left untouched: the work skipped. */
  filesSkipped: number;
  fromCommit: string | null;
  toCommit: string | null;
}

/**
 * Merge git's changes since the checkpoint into the ledger, as the new sync's first log
 * entries: changed finished files go back to pending, deleted files leave every list,
 * new files join the plan. Returns the indexed files that must be removed.
 * @internal
 */
export function mergeChanges(ledger: FileLedger, changes: readonly FileChange[]): string[] {
  if (changes.length === 0) return [];
  // Only the paths changes name are looked up: the plan's other files need no index.
  const named = changes.flatMap((change) => ('from' in change ? [change.from, change.path] : [change.path]));
  return ledger.withIndexOf(named, () => merge(ledger, changes));
}

function merge(ledger: FileLedger, changes: readonly FileChange[]): string[] {
  const toRemove: string[] = [];
  for (const change of changes) {
    const gone = change.status === 'D' ? change.path : change.status === 'R' ? change.from : null;
    if (gone !== null) {
      if (ledger.stateOf(gone) === 'completed') toRemove.push(gone);
      ledger.remove([gone]);
    }
    if (change.status !== 'D') {
      const state = ledger.stateOf(change.path);
      // A file already pending stays so: reopen passes over it.
      if (state === undefined) ledger.plan([change.path]);
      else ledger.reopen([change.path]);
    }
  }
  return toRemove;
}
