/**
 * The migrations-table part of `doctor --repair` (see db/migration-records): re-record the
 * migrations when the file's tables and indexes are exactly those of the first k shipped
 * ones. When they match none and the records disagree with themselves, nobody can tell
 * which migrations ran: change nothing and stop with NEEDS_REPAIR, saying what differs.
 * Anything else (consistent records, a 0.1 file log still to convert) is left to the
 * store's own open, the next step of the repair.
 */
import { type Connection, closeConnection, openConnection } from '../../db/connection';
import { toStoreError } from '../../db/sqlite-errors';
import { CorruptDatabaseError } from '../../errors';
import { StoreFileRepository } from '../../repositories/store-file.repository';
import { CliError, EXIT } from '../exit-codes';

/** Returns the problems put right (empty when the table was fine or absent). */
export function repairMigrationRecords(dbPath: string): string[] {
  let connection: Connection | undefined;
  try {
    // The store's own open (link-safe, owner-checked), without migrating: that is what fails here.
    connection = openConnection(dbPath);
    const storeFile = new StoreFileRepository(connection);
    const check = storeFile.checkMigrationRecords();
    if (!check || check.newer || check.problems.length === 0) return [];
    if (check.matched === null) {
      throw new CliError(
        EXIT.NEEDS_REPAIR,
        `the file cannot be repaired: ${check.problems.join('; ')}; repair cannot tell which migrations ` +
          'ran, so nothing was changed: move the file aside (a fresh store starts) or restore it from a backup',
      );
    }
    storeFile.rerecordMigrations(check.matched);
    return check.problems;
  } catch (error) {
    // A damaged file is the store's own open's to move aside (the next step of the repair).
    const failure = error instanceof CliError ? error : toStoreError(error, 'check the migrations table');
    if (failure instanceof CorruptDatabaseError) return [];
    throw failure;
  } finally {
    if (connection) closeConnection(connection);
  }
}
