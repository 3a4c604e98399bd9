/** Kept apart from FileLedger: why a file list is refused, so every refusal reads the same whichever call made it. */
import { ValidationError } from '../../errors';
import { filePathProblem } from '../../validation/file-paths';
import { joinCheckedPaths, type JoinedPaths } from '../../validation/path-list';
import { COMPLETED, SKIPPED, STATE_NAMES } from './file-states';

/** Issues reported for one list at most; past that, more detail helps nobody. */
export const MAX_ISSUES = 20;

export type ListIssue = { path: string; message: string };

/**
 * Why `path` cannot join the plan (ordinals from `batchStart` on are the batch being
 * planned); null when it can.
 */
export function problemOfNew(
  index: Map<string, number>,
  states: Uint8Array,
  path: string,
  batchStart: number,
): string | null {
  const ordinal = index.get(path);
  if (ordinal === undefined) return filePathProblem(path);
  if (ordinal >= batchStart) return `duplicate path ${JSON.stringify(path)}`;
  return `${JSON.stringify(path)} is already ${STATE_NAMES[states[ordinal]!]}`;
}

/**
 * Check paths about to be finished: each a string and a good path. Returns the issues (at
 * most MAX_ISSUES), the paths not planned yet (all good when there are no issues, the only
 * case the caller uses them), and the indexes of paths already finished (or named twice in
 * the call): those are passed over, not refused, since a repeated completion is no reason
 * to throw into the caller's loop.
 */
export function checkFinishList(
  index: Map<string, number>,
  states: Uint8Array,
  paths: readonly unknown[],
  field: string,
): { issues: ListIssue[]; unplanned: string[] | null; repeated: Set<number> | null } {
  const issues: ListIssue[] = [];
  let unplanned: string[] | null = null;
  let repeated: Set<number> | null = null;
  // A set even for one path: finish() answers the common one-path call before this.
  const seen = new Set<string>();
  for (let i = 0; i < paths.length && issues.length < MAX_ISSUES; i++) {
    const path = paths[i];
    let problem: string | null = null;
    if (typeof path !== 'string') problem = 'must be a string';
    else if (seen.has(path)) (repeated ??= new Set()).add(i);
    else {
      const ordinal = index.get(path);
      if (ordinal === undefined) {
        problem = filePathProblem(path);
        (unplanned ??= []).push(path);
      } else {
        // Pending, completed or skipped: the index holds no removed path (remove() deletes it,
        // the index is built without them).
        const state = states[ordinal]!;
        if (state === COMPLETED || state === SKIPPED) (repeated ??= new Set()).add(i);
      }
      seen.add(path);
    }
    if (problem) issues.push({ path: `${field}.${i}`, message: problem });
  }
  return { issues, unplanned, repeated };
}

/**
 * Index a list whose paths all passed the path rules into an empty index, each at its
 * ordinal from `first` on: one hash per path, a repeat showing as a Map that did not grow.
 * At the first repeat the index is emptied again and false returned (the caller then says
 * which path, as for any other refused list).
 */
export function indexNewList(index: Map<string, number>, paths: readonly string[], first: number): boolean {
  for (let i = 0; i < paths.length; i++) {
    index.set(paths[i]!, first + i);
    if (index.size === i) {
      index.clear();
      return false;
    }
  }
  return true;
}

/**
 * Check a list about to join the plan (strings that pass the path rules, new, not
 * repeated) and add it to `index`, each path at its ordinal from `first` on; all or none:
 * a refused list throws a ValidationError naming its paths (at most MAX_ISSUES) and leaves
 * the index as it was. Returns the list joined as the file log stores it when it was
 * checked that way (a new sync's whole list), else null.
 */
export function indexPlannedList(
  index: Map<string, number>,
  states: Uint8Array,
  paths: readonly unknown[],
  first: number,
  field: string,
): JoinedPaths | null {
  // A new sync's whole list, into an empty plan: the path rules in one pass over the list
  // joined as the file log stores it (kept for the checkpoint), then one hash per path.
  // Any refusal is said by the loop below, path by path, as for every other list.
  if (index.size === 0) {
    const joined = joinCheckedPaths(paths);
    if (joined && indexNewList(index, paths as readonly string[], first)) return joined;
  }
  const issues: ListIssue[] = [];
  let added = 0;
  // An empty plan: one hash per path, a repeat shows as a Map that did not grow.
  // Otherwise each path is looked up first, to say what it already is.
  const fresh = index.size === 0;
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    let problem: string | null;
    if (typeof path !== 'string') problem = 'must be a string';
    else if (fresh) {
      problem = filePathProblem(path);
      if (!problem && issues.length === 0) {
        index.set(path, first + added);
        if (index.size === added) problem = `duplicate path ${JSON.stringify(path)}`;
        else added++;
      }
    } else problem = problemOfNew(index, states, path, first);
    if (problem) {
      if (issues.push({ path: `${field}.${i}`, message: problem }) >= MAX_ISSUES) break;
    } else if (issues.length === 0 && !fresh) {
      index.set(path as string, first + added++);
    }
  }
  if (issues.length > 0) {
    for (let i = 0; i < added; i++) index.delete(paths[i] as string);
    throw new ValidationError(issues, 'file list');
  }
  return null;
}
