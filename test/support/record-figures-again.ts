import BetterSqlite3 from 'better-sqlite3';
import { RECORD_MISSING_FIGURES } from '../../src/repositories/sync-figures.sql';

/**
 * Record every completed sync's figures again from `sync_history`, as migration 0006
 * records them for a file made before `sync_figures` existed. For tests that hand-edit a
 * completed sync's history: the report reads the figures recorded when the sync completed,
 * so an edit made afterwards is seen only by the computed path. `clear` alone (no
 * recording) leaves every sync without figures: the report then computes them all.
 */
export function recordFiguresAgain(dbPath: string, { clear = false } = {}): void {
  const db = new BetterSqlite3(dbPath);
  try {
    db.exec('DELETE FROM sync_figures');
    if (!clear) db.prepare(RECORD_MISSING_FIGURES).run();
  } finally {
    db.close();
  }
}
