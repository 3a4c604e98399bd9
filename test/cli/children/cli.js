'use strict';
/**
 * Child: the real `cidx-progress` command line, run from the TypeScript sources (through
 * the transpile hook) so the CLI tests need no build. It is what bin/cidx-progress.js
 * does with dist/: `main()` with this process's argv, streams and exit code.
 *
 * argv: the command line, e.g. `status --project acme --dir /tmp/x --json`
 */
require('../../support/children/register-ts');
void require('../../../src/cli/main.ts').main();
