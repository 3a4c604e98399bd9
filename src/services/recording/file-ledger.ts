/** Where every file of a sync stands, in memory: see FileLedger. */
import { ValidationError } from '../../errors';
import type {
  FileEvent,
  OrdinalEventKind,
  StoredFileEvent,
} from '../../repositories/checkpoint-files.repository';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import type { JoinedPaths } from '../../validation/path-list';
import {
  COMPLETED,
  type FileCounts,
  type FileState,
  GONE,
  PENDING,
  SKIPPED,
  STATE_CODES,
  STATE_NAMES,
  stateAfter,
} from './file-states';
import { checkFinishList, indexPlannedList } from './file-list-checks';
import { decodeSegment, newSegment, pathsWithState } from './path-segments';
import type { Segment } from './path-segments';
import { replayOrdinalRow } from './ordinal-replay';
import { UnsavedFileEvents } from './unsaved-file-events';
import { PlanIndex } from './plan-index';

export type { FileCounts, FileState } from './file-states';

/**
 * Where every file of a sync stands, in memory. Each path ever planned in the lineage has
 * an ordinal (its place in the planned list); its state is one byte in a typed array.
 * The path → ordinal index is a Map built on first need: a resume that only hands out
 * the pending files never hashes the list. `unsavedEvents()` is what changed since the
 * last checkpoint, so a checkpoint costs the work done since the previous one.
 */
export class FileLedger {
  private readonly segments: Segment[] = [];
  /** Ordinals handed out so far (the length of the planned list). */
  private total = 0;
  private states = new Uint8Array(1024);
  /** Path → ordinal: a new plan's map, kept as it grows (a loaded plan's is built when needed). */
  private index = new PlanIndex(this.segments, new Map(), () => {});
  private readonly tally: FileCounts = { pending: 0, completed: 0, skipped: 0 };
  private readonly unsaved = new UnsavedFileEvents();

  /**
   * Rebuild from a lineage's stored log; throws InconsistentFileLogError when it does not
   * read back as written: ordinals out of range or in an impossible order, counts that
   * disagree with the rows, bytes that are not UTF-8, paths that break the path rules
   * (those of a list row when its paths are first needed).
   * @internal
   */
  static load(
    events: readonly StoredFileEvent[],
    onDamagedRow: (problem: InconsistentFileLogError) => void = () => {},
  ): FileLedger {
    const ledger = new FileLedger();
    ledger.index = new PlanIndex(ledger.segments, null, onDamagedRow);
    for (const event of events) {
      if (event.kind === 'planned') ledger.loadPlanned(event.first, event.count, event.read);
      else ledger.loadOrdinals(event.kind, event.count, event.data);
    }
    return ledger;
  }

  /**
   * Read, check and decode the stored list rows that hold pending files, so that one
   * changed since it was written (checksum), not UTF-8, or breaking the path rules makes a
   * resume a full sync now; their paths are handed out next, so they are decoded while the
   * bytes are in the cache. A row whose files were all finished is read only when its
   * paths are first needed: by a merge (inside the resume, so a bad one still makes a full
   * sync), or by the whole index, which a resumed sync builds only for a file it was not
   * handed out; there a bad row is left out and told (see PlanIndex.all). Reading those
   * rows at every resume was a quarter of one at 100k files, half of them finished.
   */
  verifyStored(): void {
    for (const segment of this.segments) {
      if (
        segment.read &&
        this.states.subarray(segment.first, segment.first + segment.count).includes(PENDING)
      )
        decodeSegment(segment);
    }
  }

  counts(): FileCounts {
    return { ...this.tally };
  }

  /** Files in the plan now (pending, completed or skipped). */
  get size(): number {
    return this.tally.pending + this.tally.completed + this.tally.skipped;
  }

  stateOf(path: string): FileState | undefined {
    const ordinal = this.lookup(path);
    return ordinal === undefined ? undefined : STATE_NAMES[this.states[ordinal]!];
  }

  /** Add paths to the work list: strings that pass the path rules, new, not repeated; all or none. */
  plan(paths: readonly unknown[], field = 'paths'): void {
    const joined = indexPlannedList(this.index.all(this.states), this.states, paths, this.total, field);
    this.append(paths as readonly string[], joined);
  }

  /**
   * Mark paths completed (or skipped). A path not in the plan is added to it first, so a
   * caller that never planned still gets a resumable log; a path already finished, or
   * named twice, is passed over. A bad path is rejected, and then nothing changes. Returns
   * how many were passed over.
   */
  finish(kind: 'completed' | 'skipped', paths: readonly unknown[], field = 'paths'): number {
    // The common call, once per file: one planned, pending path. No allocation.
    // Stryker disable next-line BlockStatement: without the shortcut the general path below does the same for this call
    if (paths.length === 1 && typeof paths[0] === 'string') {
      const ordinal = this.index.pendingOrdinal(paths[0], this.states);
      // Stryker disable next-line BlockStatement: as above, the general path gives the same state, event and result
      if (ordinal !== undefined) {
        this.states[ordinal] = STATE_CODES[kind];
        this.unsaved.ordinals(kind).push(ordinal);
        this.tally.pending--;
        this.tally[kind]++;
        return 0;
      }
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: for no path or one the batch shortcut answers as the general path does
    if (paths.length > 1 && this.finishAllPending(kind, paths)) return 0;
    const index = this.index.all(this.states);
    const { issues, unplanned, repeated } = checkFinishList(index, this.states, paths, field);
    if (issues.length > 0) throw new ValidationError(issues, 'file list');
    if (unplanned) this.plan(unplanned, field);
    const code = STATE_CODES[kind];
    const ordinals = this.unsaved.ordinals(kind);
    let finished = 0;
    for (let i = 0; i < paths.length; i++) {
      if (repeated?.has(i)) continue;
      const ordinal = index.get(paths[i] as string)!;
      this.states[ordinal] = code;
      ordinals.push(ordinal);
      finished++;
    }
    this.tally.pending -= finished;
    this.tally[kind] += finished;
    return repeated?.size ?? 0;
  }

  /** Finished files that changed in git since: back to pending. Unknown or pending paths are ignored. */
  reopen(paths: readonly string[]): void {
    for (const path of paths) {
      const ordinal = this.lookup(path);
      if (ordinal === undefined) continue;
      const state = this.states[ordinal]!;
      if (state !== COMPLETED && state !== SKIPPED) continue;
      this.move(ordinal, state, PENDING);
      this.unsaved.ordinals('reopened').push(ordinal);
    }
  }

  /** Files deleted in git since: out of every list. Unknown paths are ignored. */
  remove(paths: readonly string[]): void {
    for (const path of paths) {
      const ordinal = this.lookup(path);
      if (ordinal === undefined) continue;
      this.move(ordinal, this.states[ordinal]!, GONE);
      this.index.all(this.states).delete(path);
      this.unsaved.ordinals('removed').push(ordinal);
    }
  }

  /**
   * Run `work` with an index of `paths` alone, when the ledger has no index yet (a resume
   * merging what changed in git into a large plan): every lookup `work` makes must be of
   * one of `paths`, any other would read as a path not in the plan. The index is dropped
   * afterwards; the next call that needs one builds the whole index as usual.
   */
  withIndexOf<T>(paths: readonly string[], work: () => T): T {
    return this.index.withOnly(paths, this.states, work);
  }

  /**
   * The pending paths, in plan order, for the caller to work through: the ledger keeps its
   * own copy, so that finishing them needs no index of the whole plan (see HandedOutPaths).
   */
  handOutPending(): string[] {
    const ordinals = new Int32Array(this.tally.pending);
    const paths = pathsWithState(
      this.segments,
      this.states.subarray(0, this.total),
      PENDING,
      this.tally.pending,
      ordinals,
    );
    this.index.handedOutAs(paths, ordinals);
    return paths;
  }

  /** The paths in one state, in plan order. */
  pathsIn(state: FileState): string[] {
    return pathsWithState(
      this.segments,
      this.states.subarray(0, this.total),
      STATE_CODES[state],
      this.tally[state],
    );
  }

  hasUnsaved(): boolean {
    return this.unsaved.any;
  }

  /** The events since the last checkpoint, in the order they must be written. */
  unsavedEvents(): readonly FileEvent[] {
    return this.unsaved.list();
  }

  /** Call once the events returned by unsavedEvents() are committed. */
  markSaved(): void {
    this.unsaved.clear();
  }

  /**
   * Finish `paths` if every one is a planned, pending path named once (a batch of the work
   * handed out): returns false, having changed nothing, otherwise.
   */
  private finishAllPending(kind: 'completed' | 'skipped', paths: readonly unknown[]): boolean {
    const code = STATE_CODES[kind];
    const found: number[] = [];
    for (const path of paths) {
      // A path named twice is no longer pending the second time.
      const ordinal = typeof path === 'string' ? this.index.pendingOrdinal(path, this.states) : undefined;
      if (ordinal === undefined) {
        for (const done of found) this.states[done] = PENDING;
        return false;
      }
      this.states[ordinal] = code;
      found.push(ordinal);
    }
    const ordinals = this.unsaved.ordinals(kind);
    for (const ordinal of found) ordinals.push(ordinal);
    this.tally.pending -= found.length;
    this.tally[kind] += found.length;
    return true;
  }

  private lookup(path: string): number | undefined {
    return this.index.all(this.states).get(path);
  }

  /** New paths at the end of the list, all pending (the index already has them). */
  private append(paths: readonly string[], joined: JoinedPaths | null): void {
    if (paths.length === 0) return;
    const first = this.total;
    const copy = paths.slice();
    this.grow(first + copy.length);
    this.states.fill(PENDING, first, first + copy.length);
    this.total += copy.length;
    this.tally.pending += copy.length;
    this.segments.push(newSegment(first, copy.length, copy, null));
    // The event shares the segment's array: neither is ever changed in place.
    this.unsaved.planned(first, copy, joined);
  }

  private move(ordinal: number, from: number, to: number): void {
    this.tally[STATE_NAMES[from]!]--; // the state of a path the index holds: never GONE
    if (to !== GONE) this.tally[STATE_NAMES[to]!]++;
    this.states[ordinal] = to;
  }

  private grow(size: number): void {
    // (`size < length` here would be an equivalent mutant: at equality, growing only allocates early.)
    if (size <= this.states.length) return;
    // Stryker disable next-line ArithmeticOperator: doubling only keeps repeated growth cheap; any size that fits holds the same states
    const next = new Uint8Array(Math.max(size, this.states.length * 2));
    next.set(this.states);
    this.states = next;
  }

  private loadPlanned(first: number, count: number, read: () => Buffer): void {
    if (first !== this.total) {
      throw new InconsistentFileLogError(`a planned row starts at ordinal ${first}, not ${this.total}`);
    }
    this.grow(first + count);
    this.states.fill(PENDING, first, first + count);
    this.total += count;
    this.tally.pending += count;
    this.segments.push(newSegment(first, count, null, read));
  }

  private loadOrdinals(kind: OrdinalEventKind, count: number, data: Buffer): void {
    const { left, count: decoded } = replayOrdinalRow(this.states, this.total, kind, data);
    if (decoded !== count)
      throw new InconsistentFileLogError(`a ${kind} row holds ${decoded} ordinals, not ${count}`);
    for (const from of [PENDING, COMPLETED, SKIPPED]) this.tally[STATE_NAMES[from]!] -= left[from]!;
    const to = stateAfter(kind);
    if (to !== GONE) this.tally[STATE_NAMES[to]!] += decoded;
  }
}
