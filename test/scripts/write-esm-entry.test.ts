import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { lastJsonLine, REPO_ROOT, runChild, runCommand } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'write-esm-entry.js');

/** Compile TypeScript sources to CommonJS the way `tsc -p tsconfig.build.json` does. */
function compileTo(dir: string, sources: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(sources)) {
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    fs.writeFileSync(path.join(dir, name.replace(/\.ts$/, '.js')), outputText);
  }
}

/** Import the ESM entry in a real ESM context and compare it with require() of the CJS one. */
async function inspectFromEsm(dist: string) {
  const probe = `
    import * as esm from ${JSON.stringify(pathToFileURL(path.join(dist, 'index.mjs')).href)};
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)(${JSON.stringify(path.join(dist, 'index.js'))});
    const names = Object.keys(esm).filter((n) => n !== 'default').sort();
    console.log(JSON.stringify({
      names,
      sameObjects: names.every((n) => esm[n] === cjs[n]),
      defaultIsCjs: esm.default === cjs,
      answer: esm.answer,
    }));`;
  const result = await runCommand(process.execPath, ['--input-type=module', '-e', probe]);
  if (result.code !== 0) throw new Error(result.stderr);
  return lastJsonLine<{ names: string[]; sameObjects: boolean; defaultIsCjs: boolean; answer: number }>(
    result.stdout,
  );
}

describe('scripts/write-esm-entry.js', () => {
  const tmp = useTempDir();

  it('re-exports every named export of dist/index.js, including `export *` ones, as the very same objects', async () => {
    const dist = tmp.join('dist');
    compileTo(dist, {
      'errors.ts':
        'export class ProgressStoreError extends Error {}\nexport class ValidationError extends ProgressStoreError {}',
      'store.ts': 'export function openProgressStore() { return 1; }\nexport type Hidden = number;',
      'index.ts':
        "export * from './errors';\nexport { openProgressStore } from './store';\nexport const answer = 42;",
    });

    const run = await runChild(SCRIPT, [dist]);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('re-exports 4 names');

    const seen = await inspectFromEsm(dist);
    expect(seen.names).toEqual(['ProgressStoreError', 'ValidationError', 'answer', 'openProgressStore']);
    // instanceof works across `import` and `require`: no second copy of the classes.
    expect(seen.sameObjects).toBe(true);
    expect(seen.defaultIsCjs).toBe(true);
    expect(seen.answer).toBe(42);
  });

  it('re-exports a CommonJS default export as the ESM default', async () => {
    const dist = tmp.join('dist');
    compileTo(dist, { 'index.ts': 'export default function main() { return 1; }\nexport const answer = 1;' });
    expect(await runChild(SCRIPT, [dist])).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(dist, 'index.mjs'), 'utf8')).toContain('export default cjs.default;');
  });

  it('fails loudly when dist/index.js has not been built', async () => {
    const result = await runChild(SCRIPT, [tmp.join('empty')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/index\.js does not exist; run tsc first/);
  });
});
