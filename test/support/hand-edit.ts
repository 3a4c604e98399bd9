import BetterSqlite3 from 'better-sqlite3';

/**
 * Edit a closed (or open) store file by hand, through a second connection, the way a
 * person with the sqlite3 shell would. `ignoreChecks` writes values the CHECK constraints
 * refuse (`PRAGMA ignore_check_constraints=ON`), as an older or buggy writer could have.
 */
export function handEdit(
  dbPath: string,
  sql: string,
  options: { ignoreChecks?: boolean } = {},
  ...params: unknown[]
): number {
  const db = new BetterSqlite3(dbPath);
  try {
    if (options.ignoreChecks) db.pragma('ignore_check_constraints = ON');
    return db.prepare(sql).run(...params).changes;
  } finally {
    db.close();
  }
}
