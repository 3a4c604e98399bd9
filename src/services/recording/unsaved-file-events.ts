/**
 * The file-log events of a ledger since its last checkpoint, in the order they must be
 * written; consecutive events of one kind are kept as one, so a checkpoint writes a row
 * per run of changes, not per call.
 */
import type { FileEvent, OrdinalEventKind } from '../../repositories/checkpoint-files.repository';
import type { JoinedPaths } from '../../validation/path-list';

export class UnsavedFileEvents {
  private events: FileEvent[] = [];

  get any(): boolean {
    return this.events.length > 0;
  }

  list(): readonly FileEvent[] {
    return this.events;
  }

  /** The events returned by list() are committed. */
  clear(): void {
    this.events = [];
  }

  /**
   * Paths planned at ordinals from `first` on (the array is shared, never changed in
   * place), with their joined form when the ledger has it. Two plans in a row make one
   * event, which the repository joins again itself.
   */
  planned(first: number, paths: readonly string[], joined: JoinedPaths | null): void {
    const last = this.events[this.events.length - 1];
    // The ledger plans only at its end, so a plan right after a plan starts where it ended.
    if (last?.kind === 'planned') {
      this.events[this.events.length - 1] = {
        kind: 'planned',
        first: last.first,
        paths: last.paths.concat(paths),
      };
    } else {
      this.events.push(
        joined ? { kind: 'planned', first, paths, joined } : { kind: 'planned', first, paths },
      );
    }
  }

  /** The ordinal list of the latest event of `kind`, started if the latest is another kind. */
  ordinals(kind: OrdinalEventKind): number[] {
    const last = this.events[this.events.length - 1];
    if (last?.kind === kind) return last.ordinals as number[];
    const ordinals: number[] = [];
    this.events.push({ kind, ordinals });
    return ordinals;
  }
}
