// setupFilesAfterEnv of jest.stryker.config.js: see test-files-log.cjs.
'use strict';
require('./test-files-log.cjs').recordTestFiles();
