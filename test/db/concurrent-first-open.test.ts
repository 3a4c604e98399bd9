import Database from 'better-sqlite3';
import { childScript, lastJsonLine, startChild } from '../support/child-process';
import { SHIPPED_MIGRATIONS } from '../support/store';
import { useTempDir } from '../support/temp-dir';

interface OpenResult {
  migrations?: number;
  autoVacuum?: number;
  journalMode?: string;
  warnings?: string[];
  error?: { code: string; message: string };
}

/**
 * drizzle's own migrator reads its state before taking a lock, so two processes opening
 * a brand-new file together both try to create the tables and one fails. Ours migrates
 * inside one BEGIN IMMEDIATE. Real processes, released at the same instant, several times
 * (a race that is lost only sometimes must not pass by luck once).
 */
describe('two processes opening a brand-new file at the same moment', () => {
  const tmp = useTempDir();
  const ROUNDS = 4;
  const PROCESSES = 2;

  it(`both succeed and each migration is applied once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dbPath = tmp.join(`round-${round}.db`);
      const children = Array.from({ length: PROCESSES }, () =>
        startChild(childScript('open-store.js'), [dbPath]),
      );
      // Loading src/ is the slow part; release them only once every one is ready.
      await Promise.all(children.map((child) => child.waitForLine('ready')));
      for (const child of children) child.send('go');
      const results = await Promise.all(children.map((child) => child.exited));

      for (const result of results) {
        const printed = lastJsonLine<OpenResult>(result.stdout);
        // stderr only matters (and is shown) when the child failed.
        const failure = result.code === 0 ? '' : result.stderr;
        expect({ round, code: result.code, error: printed.error, failure }).toEqual({
          round,
          code: 0,
          error: undefined,
          failure: '',
        });
        expect(printed).toMatchObject({
          migrations: SHIPPED_MIGRATIONS.length,
          autoVacuum: 2,
          journalMode: 'wal',
          warnings: [],
        });
      }
      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get()).toEqual({
          n: SHIPPED_MIGRATIONS.length,
        });
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    }
  });
});
