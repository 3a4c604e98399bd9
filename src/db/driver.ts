/**
 * What the db/ helpers run on: a store connection (what services hold, so they never touch
 * the driver) or the bare better-sqlite3 handle (migrations, and db/'s own tests).
 */
import type { Database } from 'better-sqlite3';
import type { Connection } from './connection';

export type DriverTarget = Connection | Database;

/** The driver under a connection; a bare driver as it is. */
export function driverOf(target: DriverTarget): Database {
  return 'orm' in target ? target.sqlite : target;
}
