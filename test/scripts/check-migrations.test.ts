import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runChild } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';

/**
 * The CI check that schema and migrations agree, run against a scratch copy of the
 * package (so it can be made to disagree without touching this working tree).
 */
describe('scripts/check-migrations.js (npm run db:check)', () => {
  const tmp = useTempDir();

  function copyOfPackage(): string {
    const root = tmp.join('pkg');
    for (const entry of ['src', 'drizzle', 'scripts', 'drizzle.config.ts', 'package.json']) {
      fs.cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
    return root;
  }

  // The script's scratch copy goes under TMPDIR; a private one shows whether it is removed.
  const check = (root: string) => {
    const scratchTmp = tmp.join('scratch-tmp');
    fs.mkdirSync(scratchTmp, { recursive: true });
    return runChild(path.join(root, 'scripts', 'check-migrations.js'), [], {
      cwd: root,
      env: { ...process.env, TMPDIR: scratchTmp },
    });
  };

  it('passes when drizzle-kit generate finds nothing new', async () => {
    const root = copyOfPackage();
    const result = await check(root);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('in sync');
  });

  it('fails, naming the migration it would write, when the schema gained an index — and writes nothing', async () => {
    const root = copyOfPackage();
    const schemaFile = path.join(root, 'src', 'schema', 'checkpoints.ts');
    const schema = fs.readFileSync(schemaFile, 'utf8');
    const anchor = "index('checkpoints_updated_at_idx').on(t.updatedAt),";
    expect(schema).toContain(anchor);
    fs.writeFileSync(
      schemaFile,
      schema.replace(anchor, `${anchor}\n    index('checkpoints_phase_idx').on(t.phase),`),
    );

    const result = await check(root);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('would write a new migration');
    expect(result.stderr).toContain('CREATE INDEX `checkpoints_phase_idx`');
    expect(fs.readdirSync(path.join(root, 'drizzle')).sort()).toEqual(
      fs.readdirSync(path.join(REPO_ROOT, 'drizzle')).sort(),
    );
    // Its scratch copy was removed (drizzle-kit's own tsx cache may stay).
    expect(
      fs.readdirSync(tmp.join('scratch-tmp')).filter((n) => n.startsWith('cidx-progress-migrations-')),
    ).toEqual([]);
  });

  it('fails when the migrations folder is inconsistent (a snapshot is missing)', async () => {
    const root = copyOfPackage();
    const meta = path.join(root, 'drizzle', 'meta');
    for (const f of fs.readdirSync(meta).filter((n) => n.endsWith('_snapshot.json')))
      fs.rmSync(path.join(meta, f));

    const result = await check(root);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('check-migrations: FAILED');
  });
});
