import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childScript } from './child-process';

/**
 * A `git` first on PATH that runs `sql` against `dbPath` from another process just before
 * the first `git diff` that resume() makes, then hands over to the real git. resume()
 * reads the checkpoint and asks git what changed before it takes the write lock, so this
 * is another process acting in that gap, at the same point every run.
 */
export function raceAtGitDiff(binDir: string, dbPath: string, sql: string): { restore: () => void } {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const done = path.join(binDir, 'raced');
  fs.mkdirSync(binDir, { recursive: true });
  const wrapper = path.join(binDir, 'git');
  fs.writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      `if [ "$3" = diff ] && [ ! -e '${done}' ]; then`,
      `  : > '${done}'`,
      `  '${process.execPath}' '${childScript('run-sql.js')}' '${dbPath}' "$RACE_SQL" || exit 99`,
      'fi',
      `exec '${realGit}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  const saved = { PATH: process.env.PATH, RACE_SQL: process.env.RACE_SQL };
  process.env.PATH = `${binDir}${path.delimiter}${saved.PATH ?? ''}`;
  process.env.RACE_SQL = sql;
  return {
    restore: () => {
      process.env.PATH = saved.PATH;
      if (saved.RACE_SQL === undefined) delete process.env.RACE_SQL;
      else process.env.RACE_SQL = saved.RACE_SQL;
    },
  };
}

/** Whether the race ran (the wrapper leaves a mark the first time it acts). */
export function raced(binDir: string): boolean {
  return fs.existsSync(path.join(binDir, 'raced'));
}
