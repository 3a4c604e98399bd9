'use strict';
/**
 * A `.ts` require hook for child processes, so crash and lock tests can run the real
 * src/ in a separate process without a build step or ts-node. Each file is transpiled
 * on its own (no type-check: `tsc --noEmit` does that once for the whole project),
 * with the project's compiler options, into CommonJS.
 *
 * Use: `require('./register-ts')` at the top of a child script, or `node -r <path>`.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Crash tests start hundreds of children: transpiled files are cached on disk by content,
// and typescript itself is only loaded on a cache miss.
const cacheDir = path.join(os.tmpdir(), 'cidx-progress-ts-cache');
let ts;
const typescript = () => (ts ??= require('typescript'));

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function loadCompilerOptions() {
  const ts = typescript();
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions ?? {}, repoRoot);
  return {
    ...options,
    module: ts.ModuleKind.CommonJS,
    noEmit: false,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: true,
  };
}

let compilerOptions;
const configText = fs.readFileSync(path.join(repoRoot, 'tsconfig.json'), 'utf8');

function transpile(source, filename) {
  const key = crypto
    .createHash('sha1')
    .update(configText)
    .update('\0')
    .update(filename)
    .update('\0')
    .update(source)
    .digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    compilerOptions ??= loadCompilerOptions();
    const { outputText } = typescript().transpileModule(source, { compilerOptions, fileName: filename });
    fs.mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, outputText);
    fs.renameSync(partial, cached); // atomic: a racing child never reads half a file
    return outputText;
  }
}

if (!require.extensions['.ts']) {
  require.extensions['.ts'] = function compileTs(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
}

module.exports = { repoRoot };
