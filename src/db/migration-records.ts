/**
 * The `__drizzle_migrations` table checked against what the file really holds, and put
 * right (`doctor` and `doctor --repair`). Both migrators decide what to apply from that
 * table alone, so a hand-edited one (a row deleted, a hash changed, a row twice) either
 * re-runs a migration whose tables already exist (every writing open then fails) or hides
 * a difference. What the file holds is its tables and indexes: they are compared with
 * those the shipped migrations make, one after another, in an empty in-memory database.
 * When they are exactly those of the first k migrations, the table can be re-recorded as
 * those k (the rest are then applied as usual); when they match none, nobody can tell
 * which migrations ran, and repair changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import { convertLegacyFileLog } from './legacy-file-log';
import { MIGRATIONS_FOLDER, shippedMigrations } from './migrations';
import { runInTransaction } from './transaction';

const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface MigrationRecordsCheck {
  /** The table says a migration newer than this version ships: another check's business. */
  newer: boolean;
  /** What is wrong with the table, in words (empty: nothing). */
  problems: string[];
  /** How many shipped migrations, from the first, the file's tables and indexes are exactly; null: none. */
  matched: number | null;
  /** The tag of the last of those (null when matched is 0 or null). */
  matchedTag: string | null;
  /** When nothing matched: how the file differs from the closest shipped migration. */
  differences: string[];
}

interface Shipped {
  migrations: MigrationMeta[];
  tags: string[];
}

function shipped(folder: string): Shipped {
  const migrations = shippedMigrations(folder);
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string }>;
  };
  return { migrations, tags: migrations.map((_, i) => journal.entries[i]?.tag ?? `migration ${i}`) };
}

/** Tables, indexes, views and triggers by `type name`, with their SQL (whitespace folded). */
function schemaOf(sqlite: Database): Map<string, string> {
  const rows = sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?`,
    )
    .all(MIGRATIONS_TABLE) as Array<{ type: string; name: string; sql: string | null }>;
  return new Map(rows.map((r) => [`${r.type} ${r.name}`, (r.sql ?? '').replace(/\s+/g, ' ').trim()]));
}

const referenceCache = new Map<string, Array<Map<string, string>>>();

/** The schema after each number of shipped migrations (index k: after the first k). */
function referenceSchemas(folder: string, migrations: MigrationMeta[]): Array<Map<string, string>> {
  const cached = referenceCache.get(folder);
  if (cached) return cached;
  const memory = new BetterSqlite3(':memory:');
  try {
    const schemas = [schemaOf(memory)];
    for (const migration of migrations) {
      for (const statement of migration.sql) if (statement.trim()) memory.exec(statement);
      // As every open does after migrating (the data half of migration 0002).
      convertLegacyFileLog(memory);
      schemas.push(schemaOf(memory));
    }
    referenceCache.set(folder, schemas);
    return schemas;
  } finally {
    memory.close();
  }
}

function differencesBetween(file: Map<string, string>, reference: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [key, text] of file) {
    if (!reference.has(key)) found.push(`${key} is in the file but not in it`);
    else if (reference.get(key) !== text) found.push(`${key} is defined differently`);
  }
  for (const key of reference.keys()) if (!file.has(key)) found.push(`${key} is missing from the file`);
  return found;
}

/** Check the migrations table of `sqlite` (read only). Null when the file has no such table. */
export function checkMigrationRecords(
  sqlite: Database,
  folder: string = MIGRATIONS_FOLDER,
): MigrationRecordsCheck | null {
  const hasTable = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(MIGRATIONS_TABLE);
  if (!hasTable) return null;
  const records = (
    sqlite.prepare(`SELECT hash, created_at FROM "${MIGRATIONS_TABLE}"`).all() as Array<{
      hash: string;
      created_at: number | string;
    }>
  ).map((r) => ({ hash: String(r.hash), createdAt: Number(r.created_at) }));
  const { migrations, tags } = shipped(folder);
  const newest = Math.max(0, ...migrations.map((m) => m.folderMillis));
  const result: MigrationRecordsCheck = {
    newer: records.some((r) => r.createdAt > newest),
    problems: [],
    matched: null,
    matchedTag: null,
    differences: [],
  };
  if (result.newer) return result;

  const file = schemaOf(sqlite);
  const references = referenceSchemas(folder, migrations);
  const diffs = references.map((reference) => differencesBetween(file, reference));
  // The latest prefix that matches: migrations that change no table (there are none yet) stay recorded.
  const matched = diffs.map((d) => d.length === 0).lastIndexOf(true);
  if (matched >= 0) {
    result.matched = matched;
    result.matchedTag = matched > 0 ? tags[matched - 1]! : null;
  } else {
    const closest = diffs.reduce((best, d, i) => (d.length < diffs[best]!.length ? i : best), 0);
    const name = closest === 0 ? 'an empty file' : `migration ${tags[closest - 1]}`;
    result.differences = diffs[closest]!.map((d) => d.replace(/in it$/, `in ${name}`));
    result.problems.push(
      `the tables and indexes match no shipped migration (closest: ${name}; ${result.differences.join('; ')})`,
    );
  }

  const expected = migrations.slice(0, result.matched ?? migrations.length);
  migrations.forEach((migration, i) => {
    const tag = tags[i]!;
    const mine = records.filter((r) => r.createdAt === migration.folderMillis);
    const applied = i < expected.length;
    if (mine.length > 1) result.problems.push(`${tag} is recorded ${mine.length} times`);
    if (mine.some((r) => r.hash !== migration.hash))
      result.problems.push(`${tag} is recorded with a hash that is not the shipped one`);
    if (mine.length === 0 && applied && result.matched !== null)
      result.problems.push(`${tag} is applied (its tables and indexes are in the file) but not recorded`);
    if (mine.length > 0 && !applied)
      result.problems.push(`${tag} is recorded but its tables and indexes are not in the file`);
  });
  const known = new Set(migrations.map((m) => m.folderMillis));
  for (const record of records)
    if (!known.has(record.createdAt))
      result.problems.push(
        `a record of ${new Date(record.createdAt).toISOString()} matches no shipped migration`,
      );
  // Records that are the first k shipped migrations, with the schema of those k, are only "behind".
  return result;
}

/**
 * Record exactly the first `count` shipped migrations (those the file's schema is), in one
 * transaction: what `doctor --repair` does when checkMigrationRecords found problems and a match.
 */
export function rerecordMigrations(
  sqlite: Database,
  count: number,
  folder: string = MIGRATIONS_FOLDER,
): void {
  const { migrations } = shipped(folder);
  runInTransaction(
    sqlite,
    () => {
      sqlite.exec(`DELETE FROM "${MIGRATIONS_TABLE}"`);
      const record = sqlite.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" ("hash", "created_at") VALUES (?, ?)`);
      for (const migration of migrations.slice(0, count)) record.run(migration.hash, migration.folderMillis);
    },
    { name: 're-record migrations' },
  );
}
