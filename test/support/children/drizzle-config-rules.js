'use strict';
/**
 * Child: for each case read from stdin (a JSON array of { CIDX_HOME, CIDX_PROJECT_ID }),
 * load drizzle.config.ts afresh with that environment and ask src/ where the store would
 * put the same project. Prints one JSON array of { config, store }, each the database
 * path or "refused". HOME is the parent's temporary folder, so `~` lands there.
 */
require('./register-ts');
const path = require('node:path');
const { resolveStoreLocation } = require('../../../src/config/store-paths');

const configPath = require.resolve(path.join(__dirname, '..', '..', '..', 'drizzle.config.ts'));
const outcome = (run) => {
  try {
    return run();
  } catch {
    return 'refused';
  }
};

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((env) => {
    for (const key of ['CIDX_HOME', 'CIDX_PROJECT_ID', 'CIDX_PROGRESS_DB']) delete process.env[key];
    Object.assign(process.env, env);
    delete require.cache[configPath];
    const config = outcome(() => require(configPath).default.dbCredentials.url);
    const store = outcome(() => resolveStoreLocation({ projectId: env.CIDX_PROJECT_ID, env }).dbPath);
    return { config, store };
  });
  process.stdout.write(`${JSON.stringify(results)}\n`);
});
