import { ValidationError } from '../../errors';
import { type FileEvent } from '../../repositories/checkpoint-files.repository';
import type { FileEventKind } from '../../schema/sync-status';

export type FileState = 'pending' | 'completed' | 'skipped';

export interface FileCounts {
  pending: number;
  completed: number;
  skipped: number;
}

/** The log of a lineage does not replay into a consistent state: never trust it. */
export class InconsistentFileLogError extends Error {}

/**
 * Where every file of a sync stands, in memory, plus what changed since the last
 * checkpoint. A checkpoint writes only `unsavedEvents()`, so its cost follows the work
 * done since the previous one rather than the size of the repository.
 */
export class FileLedger {
  private readonly states = new Map<string, FileState>();
  private readonly tally: FileCounts = { pending: 0, completed: 0, skipped: 0 };
  /** Events since the last checkpoint, in the order they happened (replay depends on it). */
  private unsaved: { kind: FileEventKind; paths: string[] }[] = [];

  /** Rebuild from a lineage's log; throws InconsistentFileLogError if the log contradicts itself. */
  /** @internal */
  static replay(events: Iterable<FileEvent>): FileLedger {
    const ledger = new FileLedger();
    for (const event of events) {
      for (const path of event.paths) {
        const problem = ledger.apply(event.kind, path);
        if (problem) throw new InconsistentFileLogError(`file log: ${event.kind} ${JSON.stringify(path)}: ${problem}`);
      }
    }
    return ledger;
  }

  counts(): FileCounts {
    return { ...this.tally };
  }

  get size(): number {
    return this.states.size;
  }

  stateOf(path: string): FileState | undefined {
    return this.states.get(path);
  }

  /** Add paths to the work list. Each must be new. */
  plan(paths: readonly string[], field = 'paths'): void {
    this.checkAll(paths, field, (state) => (state === undefined ? null : `is already ${state}`));
    this.record('planned', paths);
  }

  /**
   * Mark paths completed (or skipped). A path not in the plan is added to it first, so a
   * caller that never planned still gets a resumable log; a path already finished is a
   * duplicate and rejected.
   */
  finish(kind: 'completed' | 'skipped', paths: readonly string[], field = 'paths'): void {
    this.checkAll(paths, field, (state) => (state === undefined || state === 'pending' ? null : `is already ${state}`));
    const unplanned = paths.filter((p) => !this.states.has(p));
    if (unplanned.length > 0) this.record('planned', unplanned);
    this.record(kind, paths);
  }

  /** Finished files that changed in git since: back to pending. */
  reopen(paths: readonly string[]): void {
    this.record('reopened', paths.filter((p) => { const s = this.states.get(p); return s === 'completed' || s === 'skipped'; }));
  }

  /** Files deleted in git since: out of every list. */
  remove(paths: readonly string[]): void {
    this.record('removed', paths.filter((p) => this.states.has(p)));
  }

  pathsIn(state: FileState): string[] {
    const out: string[] = [];
    for (const [path, s] of this.states) if (s === state) out.push(path);
    return out;
  }

  hasUnsaved(): boolean {
    return this.unsaved.length > 0;
  }

  /** The events since the last checkpoint, in the order they must be written. */
  unsavedEvents(): readonly { kind: FileEventKind; paths: string[] }[] {
    return this.unsaved;
  }

  /** Call once the events returned by unsavedEvents() are committed. */
  markSaved(): void {
    this.unsaved = [];
  }

  private checkAll(paths: readonly string[], field: string, problemFor: (state: FileState | undefined) => string | null) {
    const issues = [];
    for (let i = 0; i < paths.length && issues.length < 20; i++) {
      const problem = problemFor(this.states.get(paths[i]!));
      if (problem) issues.push({ path: `${field}.${i}`, message: `${JSON.stringify(paths[i])} ${problem}` });
    }
    if (issues.length > 0) throw new ValidationError(issues, 'file list');
  }

  private record(kind: FileEventKind, paths: readonly string[]): void {
    if (paths.length === 0) return;
    for (const path of paths) this.apply(kind, path);
    const last = this.unsaved[this.unsaved.length - 1];
    if (last?.kind === kind) for (const p of paths) last.paths.push(p);
    else this.unsaved.push({ kind, paths: paths.slice() });
  }

  /** Apply one event to one path; returns why it cannot apply, or null. */
  private apply(kind: FileEventKind, path: string): string | null {
    const state = this.states.get(path);
    switch (kind) {
      case 'planned':
        if (state !== undefined) return `already ${state}`;
        return this.set(path, state, 'pending');
      case 'completed':
      case 'skipped':
        if (state !== 'pending') return `was ${state ?? 'not planned'}`;
        return this.set(path, state, kind);
      case 'reopened':
        if (state !== 'completed' && state !== 'skipped') return `was ${state ?? 'not planned'}`;
        return this.set(path, state, 'pending');
      case 'removed':
        if (state === undefined) return 'was not planned';
        this.tally[state]--;
        this.states.delete(path);
        return null;
    }
  }

  /** `previous` is passed in, not looked up again: replaying 500k paths is hash-bound. */
  private set(path: string, previous: FileState | undefined, next: FileState): null {
    if (previous) this.tally[previous]--;
    this.tally[next]++;
    this.states.set(path, next);
    return null;
  }
}
