import type { Database, Statement } from 'better-sqlite3';

/**
 * Hand-written statements, prepared on first use and kept: they belong to this connection.
 * `raw`: rows come back as arrays (thousands of rows cost far less than as objects).
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly sqlite: Database) {}

  get(text: string, raw = false): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.sqlite.prepare(text);
      if (raw) statement.raw(true);
      this.statements.set(text, statement);
    }
    return statement;
  }
}
