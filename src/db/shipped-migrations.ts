import path from 'node:path';
import { type MigrationMeta, readMigrationFiles } from 'drizzle-orm/migrator';

/**
 * The shipped `drizzle/` folder, found from this file's own location so it works from
 * src/ (tests), dist/ (the package) and any working directory.
 */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', '..', 'drizzle');

/** @internal The migrations this package ships, oldest first (journal time, hash, statements). */
export function shippedMigrations(folder: string = MIGRATIONS_FOLDER): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: folder });
}
