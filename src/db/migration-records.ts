/**
 * The `__drizzle_migrations` table checked against what the file really holds, and put
 * right (`doctor` and `doctor --repair`). Both migrators decide what to apply from that
 * table alone, so a hand-edited one (a row deleted, a hash changed, a row twice) either
 * re-runs a migration whose tables already exist (every writing open then fails) or hides
 * a difference. What the file holds is its tables and indexes: they are compared with
 * those the shipped migrations make, one after another, in an empty in-memory database.
 * When they are exactly those of the first k migrations, the table can be re-recorded as
 * those k (the rest are then applied as usual). Objects no migration creates (an index a
 * user added) are only listed as extra. When nothing matches, only records that disagree
 * with themselves are a problem: consistent records are what both migrators go by anyway.
 * Release 0.1's file log, moved aside by migration 0002 and converted at the store's next
 * open, is accepted as it waits (`drizzle-kit migrate` runs only the SQL half).
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import { DamagedMigrationRecordsError } from '../errors';
import { tableNames } from './integrity';
import { LEGACY_FILE_LOG_TABLE } from './legacy-file-log';
import { MIGRATIONS_FOLDER, shippedMigrations } from './shipped-migrations';
import { runInTransaction } from './transaction';

const MIGRATIONS_TABLE = '__drizzle_migrations';
/** The latest time a JavaScript Date can hold (ms since the epoch). */
const LATEST_TIME = 8.64e15;

export interface MigrationRecordsCheck {
  /** The table says a migration newer than this version ships: another check's business. */
  newer: boolean;
  /** What is wrong with the table, in words (empty: nothing). Only these make doctor fail. */
  problems: string[];
  /** How many shipped migrations, from the first, the file's tables and indexes are exactly; null: none. */
  matched: number | null;
  /** The tag of the last of those (null when matched is 0 or null). */
  matchedTag: string | null;
  /** When nothing matched: how the file differs from the closest shipped migration. */
  differences: string[];
  /** Tables, indexes, views and triggers no shipped migration creates (`index my_own_idx`): left out of the match. */
  extra: string[];
  /** Release 0.1's file log is in the file, still to be converted by the store's next open. */
  legacyFileLog: boolean;
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
  return { migrations, tags: journal.entries.map((entry) => entry.tag) };
}

interface Schema {
  /** Tables, indexes, views and triggers by `type name`, with their SQL (whitespace folded). */
  objects: Map<string, string>;
  /** The 0.1 file log is there; it and what hangs on it are left out of `objects`. */
  legacyFileLog: boolean;
}

function schemaOf(sqlite: Database): Schema {
  const rows = sqlite
    .prepare(
      // `sql IS NOT NULL` leaves out nothing more: only SQLite's own objects (sqlite_*) have no SQL.
      `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ? AND sql IS NOT NULL`,
    )
    .all(MIGRATIONS_TABLE) as Array<{ type: string; name: string; tbl_name: string; sql: string }>;
  const kept = rows.filter((r) => r.tbl_name !== LEGACY_FILE_LOG_TABLE);
  return {
    objects: new Map(kept.map((r) => [`${r.type} ${r.name}`, r.sql.replace(/\s+/g, ' ').trim()])),
    legacyFileLog: rows.some((r) => r.type === 'table' && r.name === LEGACY_FILE_LOG_TABLE),
  };
}

const referenceCache = new Map<string, Schema[]>();

/**
 * The schema after each number of shipped migrations (index k: after the first k), as
 * their SQL leaves it: from 0002 on, with the (empty) 0.1 file log the store's open would drop.
 */
function referenceSchemas(folder: string, migrations: MigrationMeta[]): Schema[] {
  const cached = referenceCache.get(folder);
  if (cached) return cached;
  // Stryker disable next-line StringLiteral: '' opens a private temporary database, as good as ':memory:' here
  const memory = new BetterSqlite3(':memory:');
  try {
    const schemas = [schemaOf(memory)];
    for (const migration of migrations) {
      for (const statement of migration.sql) memory.exec(statement); // a blank one runs nothing
      schemas.push(schemaOf(memory));
    }
    referenceCache.set(folder, schemas);
    return schemas;
  } finally {
    memory.close();
  }
}

/** How the file differs from `reference` (called `name`), objects in `extra` left out. */
function differencesBetween(file: Schema, reference: Schema, extra: Set<string>, name: string): string[] {
  const found: string[] = [];
  for (const [key, text] of file.objects) {
    if (extra.has(key)) continue;
    if (!reference.objects.has(key)) found.push(`${key} is in the file but not in ${name}`);
    else if (reference.objects.get(key) !== text) found.push(`${key} is defined differently from ${name}`);
  }
  for (const key of reference.objects.keys())
    if (!file.objects.has(key)) found.push(`${key} is missing from the file`);
  // Only migrations from 0002 on make the 0.1 file log; the store's open drops it, so it may be gone.
  if (file.legacyFileLog && !reference.legacyFileLog)
    found.push(`table ${LEGACY_FILE_LOG_TABLE} is in the file but not in ${name}`);
  return found;
}

/** A record's created_at as SQL would write it, for a message. */
function sqlText(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
}

interface MigrationRecord {
  hash: string;
  createdAt: number;
}

/** The records whose created_at is a time (an integer, as both migrators write it); the others are each a problem, in words. */
function readMigrationRecords(sqlite: Database): { records: MigrationRecord[]; unreadable: string[] } {
  const rows = sqlite.prepare(`SELECT hash, created_at FROM "${MIGRATIONS_TABLE}"`).all() as Array<{
    hash: unknown;
    created_at: unknown;
  }>;
  const records: MigrationRecord[] = [];
  const unreadable: string[] = [];
  for (const row of rows) {
    const at = row.created_at;
    if (typeof at === 'number' && Number.isInteger(at) && at >= 0 && at <= LATEST_TIME)
      records.push({ hash: String(row.hash), createdAt: at });
    else unreadable.push(`a record with created_at ${sqlText(at)} is not a time`);
  }
  return { records, unreadable };
}

/** k when the records are exactly the first k shipped migrations (each once, with its hash); else null. */
function recordedShippedCount(
  records: MigrationRecord[],
  unreadable: string[],
  migrations: MigrationMeta[],
): number | null {
  if (unreadable.length > 0 || records.length > migrations.length) return null;
  const sorted = [...records].sort((a, b) => a.createdAt - b.createdAt);
  const exact = sorted.every(
    (r, i) => r.createdAt === migrations[i]!.folderMillis && r.hash === migrations[i]!.hash,
  );
  return exact ? records.length : null;
}

/** Check the migrations table of `sqlite` (read only). Null when the file has no such table. */
export function checkMigrationRecords(
  sqlite: Database,
  folder: string = MIGRATIONS_FOLDER,
): MigrationRecordsCheck | null {
  if (!tableNames(sqlite).includes(MIGRATIONS_TABLE)) return null;
  const { records, unreadable } = readMigrationRecords(sqlite);
  const { migrations, tags } = shipped(folder);
  const newest = Math.max(0, ...migrations.map((m) => m.folderMillis));
  const file = schemaOf(sqlite);
  const result: MigrationRecordsCheck = {
    newer: records.some((r) => r.createdAt > newest),
    problems: [],
    matched: null,
    matchedTag: null,
    differences: [],
    extra: [],
    legacyFileLog: file.legacyFileLog,
  };
  if (result.newer) return result;

  const references = referenceSchemas(folder, migrations);
  const created = new Set(references.flatMap((reference) => [...reference.objects.keys()]));
  const extra = new Set([...file.objects.keys()].filter((key) => !created.has(key)));
  result.extra = [...extra];
  const nameOf = (k: number) => (k === 0 ? 'an empty file' : `migration ${tags[k - 1]}`);
  const diffs = references.map((reference, k) => differencesBetween(file, reference, extra, nameOf(k)));
  const recorded = recordedShippedCount(records, unreadable, migrations);
  const matching = diffs.flatMap((d, k) => (d.length === 0 ? [k] : []));
  let noMatch: string | null = null; // what to say when nothing matches, if the records disagree
  if (matching.length > 0) {
    // A migration that changes data only leaves the schema of the one before: more than one
    // prefix matches. Consistent records name one of them; otherwise the first, so that such
    // a migration is applied again rather than recorded without having run.
    const matched = recorded !== null && matching.includes(recorded) ? recorded : matching[0]!;
    result.matched = matched;
    result.matchedTag = matched > 0 ? tags[matched - 1]! : null;
  } else {
    const closest = recorded ?? diffs.reduce((best, d, k) => (d.length < diffs[best]!.length ? k : best), 0);
    result.differences = diffs[closest]!;
    noMatch = `the tables and indexes match no shipped migration (closest: ${nameOf(closest)}; ${result.differences.join('; ')})`;
  }

  result.problems.push(...unreadable);
  const recordedTimes = new Set(records.map((r) => r.createdAt));
  migrations.forEach((migration, i) => {
    const tag = tags[i]!;
    const mine = records.filter((r) => r.createdAt === migration.folderMillis);
    if (mine.length > 1) result.problems.push(`${tag} is recorded ${mine.length} times`);
    if (mine.some((r) => r.hash !== migration.hash))
      result.problems.push(`${tag} is recorded with a hash that is not the shipped one`);
    if (result.matched === null) {
      const laterRecorded = migrations.slice(i + 1).some((m) => recordedTimes.has(m.folderMillis));
      if (mine.length === 0 && laterRecorded)
        result.problems.push(`${tag} is not recorded, but a later migration is`);
      return;
    }
    const applied = i < result.matched;
    if (mine.length === 0 && applied)
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
  // No match with records that disagree: nobody can tell which migrations ran. With
  // consistent records the differences are only reported (doctor warns).
  if (noMatch !== null && result.problems.length > 0) result.problems.push(noMatch);
  return result;
}

/** What the migrations table says, read as both opens must trust it (trustedMigrationState). */
export interface RecordedMigrations {
  /** The newest record's time that is a time (0: none): a newer one than shipped means a newer package. */
  lastApplied: number;
  /** Checks the records (call after the schema-too-new check): how many shipped migrations the file has. */
  trustedCount(): number;
}

/**
 * The migrations table as the store's opens read it, as strictly as input: the records
 * must be exactly the first k shipped migrations (each once, its hash, an integer time),
 * and when k is short of the shipped count the file's tables and indexes must be those of
 * k migrations (doctor's check), since migrating from k re-runs whatever is past it.
 * Otherwise trustedCount throws DamagedMigrationRecordsError. Reads only.
 */
export function recordedMigrations(
  sqlite: Database,
  migrations: MigrationMeta[],
  folder: string = MIGRATIONS_FOLDER,
): RecordedMigrations {
  const { records, unreadable } = readMigrationRecords(sqlite);
  return {
    lastApplied: Math.max(0, ...records.map((r) => r.createdAt)),
    trustedCount() {
      const recorded = recordedShippedCount(records, unreadable, migrations);
      if (recorded === migrations.length) return recorded;
      // Stryker disable next-line ArrayDeclaration: the records were read from the table, so the check is never null
      const problems = checkMigrationRecords(sqlite, folder)?.problems ?? [];
      if (recorded !== null && problems.length === 0) return recorded;
      throw new DamagedMigrationRecordsError(
        problems.length > 0 ? problems : ['the records are not those of the shipped migrations'],
      );
    },
  };
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
