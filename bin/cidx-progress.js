#!/usr/bin/env node
'use strict';
// The `cidx-progress` command: the compiled CLI (npm run build writes dist/).
void require('../dist/cli/main.js').main();
