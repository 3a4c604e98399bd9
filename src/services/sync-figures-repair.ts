import type { NotPromise } from '../db/transaction';
import { storedRowDamage } from '../repositories/completed-syncs';
import type { SyncFiguresRepository } from '../repositories/sync-figures.repository';
import type { FiguresRepair } from './damaged-row';

/**
 * Finding and repairing `sync_figures` rows the history report cannot use (schema/
 * sync-figures.ts): a row not as the recorder writes it (a hand edit, a damaged page), a
 * row whose sync `sync_history` does not hold completed, and a completed sync with no row.
 * The report computes such a sync's windows from `sync_history`, right but slower, until
 * the row is recorded again; `doctor` lists them and `doctor --repair` and maintenance
 * delete the bad rows and record the figures again from `sync_history`. A row is judged
 * by the report's own check (repositories/completed-syncs unpackSync).
 */

/** A stored row the report cannot use: its sync, and what is wrong (never the value). */
export interface BadFigures {
  syncId: number;
  why: string;
}

export type { FiguresRepair };

/** Rows checked per piece: about a millisecond of work. */
const ROWS_PER_PIECE = 500;

/** The bad rows among the next ROWS_PER_PIECE after sync id `after`, the last id read, and whether that was all. */
export function figuresPiece(
  figures: SyncFiguresRepository,
  after: number,
): { found: BadFigures[]; last: number; done: boolean } {
  const page = figures.storedPage(after, ROWS_PER_PIECE);
  const found: BadFigures[] = [];
  for (const row of page) {
    const why = storedRowDamage(row);
    if (why !== null) found.push({ syncId: row.syncId, why });
  }
  return { found, last: page.at(-1)?.syncId ?? after, done: page.length < ROWS_PER_PIECE };
}

/** Every bad row, and how many completed syncs have none that could have one. Reads only (doctor). */
export function findBadFigures(figures: SyncFiguresRepository): { bad: BadFigures[]; missing: number } {
  const bad: BadFigures[] = [];
  for (let after = 0; ;) {
    const piece = figuresPiece(figures, after);
    bad.push(...piece.found);
    if (piece.done) break;
    after = piece.last;
  }
  return { bad, missing: figures.missingCount() };
}

/**
 * How a repair writes: each batch its own write transaction, recording at most
 * `batchSize()` syncs, so that no one batch holds the write lock long (a maintenance
 * run's are timed and sized to its target; see retention/maintenance-run).
 */
export interface FiguresWriter {
  batchSize(): number;
  write<T>(name: string, units: number, work: () => NotPromise<T>): T;
}

/** The largest sync id: a last piece's range has no end. */
const NO_END = Number.MAX_SAFE_INTEGER;

/**
 * Walk the table a piece at a time (a `yield` after each piece and each write): in each
 * piece's range of sync ids, delete the bad rows and record the figures of every
 * completed sync left without one (the deleted, and any deleted by hand) with the
 * recorder's own statement (recordMissingIn), a batch per transaction, the first batch in
 * the deletes' transaction so that a repair of a few rows never shows the report a sync
 * without figures. A range with nothing to do costs two reads and no write.
 */
export function* repairFiguresInSteps(
  figures: SyncFiguresRepository,
  writer: FiguresWriter,
): Generator<void, FiguresRepair, void> {
  const done: FiguresRepair = { removed: 0, recorded: 0 };
  for (let after = 0; ;) {
    const piece = figuresPiece(figures, after);
    const upTo = piece.done ? NO_END : piece.last;
    let ids = piece.found.map((bad) => bad.syncId);
    if (ids.length > 0 || figures.anyMissingIn(after, upTo)) {
      let from = after;
      for (;;) {
        const limit = writer.batchSize();
        const deleting = ids;
        ids = [];
        const batch = writer.write('repair sync figures', limit, () => {
          done.removed += deleting.length > 0 ? figures.deleteSyncs(deleting) : 0;
          return figures.recordMissingIn({ after: from, upTo, limit });
        });
        done.recorded += batch.recorded;
        yield;
        // Short of its limit: the range had no more. Else the next batch goes on from its last sync.
        if (batch.recorded < limit) break;
        from = batch.last;
      }
    } else {
      yield;
    }
    if (piece.done) return done;
    after = piece.last;
  }
}

/** Syncs recorded per transaction by a repair outside maintenance (doctor --repair): a few milliseconds. */
export const REPAIR_BATCH = 100;

/** The whole repair in one go, each batch in the store's own write transaction (doctor --repair). */
export function repairFigures(
  figures: SyncFiguresRepository,
  write: <T>(name: string, work: () => NotPromise<T>) => T,
): FiguresRepair {
  const steps = repairFiguresInSteps(figures, {
    batchSize: () => REPAIR_BATCH,
    write: (name, _units, work) => write(name, work),
  });
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
