import { type FiguresRepair, repairFiguresInSteps } from '../sync-figures-repair';
import type { MaintenanceRun } from './maintenance-run';

/**
 * Maintenance's repair of `sync_figures` (services/sync-figures-repair), after the damaged
 * rows are gone (a damaged sync's figures go with it): each batch one of the run's timed
 * write transactions, sized like the archiver's batches of syncs to the run's lock-time
 * target, a slice's end between any two. The table holds one short row per completed
 * sync, so the whole check is a few pieces even at 10k syncs and needs no cursor kept
 * across runs (unlike the damaged-row search, damaged-row-upkeep.ts).
 */
export function* repairFiguresUpkeep(run: MaintenanceRun): Generator<void, FiguresRepair, void> {
  const repaired = yield* repairFiguresInSteps(run.repos.syncFigures, {
    batchSize: () => run.batchSize('syncs'),
    write: (name, units, work) => run.write(name, work, { kind: 'syncs', units }),
  });
  if (repaired.removed > 0 || repaired.recorded > 0)
    run.context.warn({
      code: 'CORRUPT',
      message:
        `maintenance deleted ${repaired.removed} sync_figures row(s) the history report could not use ` +
        `and recorded the figures of ${repaired.recorded} sync(s) again from sync_history`,
    });
  return repaired;
}
