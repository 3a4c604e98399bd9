import type { Connection } from '../db/connection';
import {
  type CompletedSyncs,
  computedSyncs,
  type FiguresPassRow,
  type StoredFiguresRow,
  unpackFiguresPass,
} from './completed-syncs';
import { StatementCache } from './statement-cache';
import { type StatsWindow, windowParams } from './stats-window';
import {
  ANY_MISSING_FIGURES_IN,
  COMPUTED_FIGURES,
  DELETE_FIGURES,
  DELETE_FIGURES_OF,
  FIGURES_PASS,
  MISSING_FIGURES,
  RECORD_FIGURES,
  RECORD_MISSING_FIGURES,
  RECORD_MISSING_FIGURES_IN,
  STORED_FIGURES_PAGE,
} from './sync-figures.sql';

export type { CompletedSyncs, StoredFiguresRow } from './completed-syncs';

/** Sync ids in (after, upTo], at most `limit` of them. */
export interface MissingRange {
  after: number;
  upTo: number;
  limit: number;
}

/** The stored figures of a window, and which syncs they are (see FIGURES_PASS). */
export interface StoredFigures {
  syncs: number;
  idSum: number;
  /** Null when a stored value is not as the writer leaves it. */
  completed: CompletedSyncs | null;
}

/**
 * `sync_figures`: the figures of each completed logical sync (schema/sync-figures.ts),
 * written when the sync completes and read by the history report.
 */
export class SyncFiguresRepository {
  private readonly statements: StatementCache;

  constructor(connection: Connection) {
    this.statements = new StatementCache(connection.sqlite);
  }

  /** Record the figures of `jobId`, which has just completed (inside its transaction). */
  record(jobId: string): void {
    this.statements.get(RECORD_FIGURES).run({ jobId });
  }

  /** Record the figures of every completed sync that has none. Returns how many. */
  recordMissing(): number {
    return this.statements.get(RECORD_MISSING_FIGURES).run().changes;
  }

  /**
   * recordMissing() for the first `limit` syncs with ids in (`after`, `upTo`], in id
   * order: a repair's batch. Returns how many, and the last sync id recorded (`after`
   * when none), where the next batch goes on from.
   */
  recordMissingIn({ after, upTo, limit }: MissingRange): { recorded: number; last: number } {
    const result = this.statements.get(RECORD_MISSING_FIGURES_IN).run({ after, upTo, limit });
    return { recorded: result.changes, last: result.changes > 0 ? Number(result.lastInsertRowid) : after };
  }

  /** How many completed syncs recordMissing() would record. Reads only. */
  missingCount(): number {
    return this.statements.get(MISSING_FIGURES).pluck().get() as number;
  }

  /** Whether recordMissingIn() would record any syncs with ids in (`after`, `upTo`]. Reads only. */
  anyMissingIn(after: number, upTo: number): boolean {
    return this.statements.get(ANY_MISSING_FIGURES_IN).pluck().get({ after, upTo }) === 1;
  }

  /** Up to `limit` rows as stored after sync id `after`, in sync id order: a check in pieces. */
  storedPage(after: number, limit: number): StoredFiguresRow[] {
    return this.statements.get(STORED_FIGURES_PAGE).all({ after, limit }) as StoredFiguresRow[];
  }

  /** Delete the stored figures of these syncs (by sync id), to record them again. Returns how many. */
  deleteSyncs(syncIds: readonly number[]): number {
    return this.statements.get(DELETE_FIGURES_OF).run({ syncIds: JSON.stringify(syncIds) }).changes;
  }

  /** Leave out the figures of these syncs, before their history rows are deleted. */
  deleteFor(jobIds: readonly string[]): number {
    // Stryker disable next-line ConditionalExpression: an empty list deletes nothing either way; this spares the statement
    if (jobIds.length === 0) return 0;
    return this.statements.get(DELETE_FIGURES).run({ jobIds: JSON.stringify(jobIds) }).changes;
  }

  /** The figures stored for the window's syncs. */
  stored(window: StatsWindow): StoredFigures {
    const row = this.statements.get(FIGURES_PASS).get(windowParams(window)) as FiguresPassRow;
    return { syncs: row.syncs, idSum: row.idSum, completed: unpackFiguresPass(row) };
  }

  /** The same figures computed from `sync_history`, for the window's completed syncs. */
  computed(window: StatsWindow): CompletedSyncs {
    return computedSyncs(
      this.statements.get(COMPUTED_FIGURES, true).all(windowParams(window)) as unknown[][],
    );
  }
}
