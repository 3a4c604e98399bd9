'use strict';
/**
 * Child: the resume prompt on this process's own stdin (a terminal, under pty-run.py),
 * then a line read in the ordinary way, to show the terminal is back in line mode while
 * the process still runs (Node resets the mode at exit, which would hide a leak).
 *
 * Prints `answered <choice> raw=<isRaw>`, then `line <text>` for the line typed.
 */
require('../../support/children/register-ts');
const { createInterface } = require('node:readline');
const { promptResume } = require('../../../src/presentation/prompt-resume.ts');

const now = Date.now();
const info = {
  jobId: 'abc-123-def',
  status: 'interrupted',
  progress: 67,
  phase: 'Indexing Files',
  filesProcessed: 234,
  totalFiles: 350,
  filesRemaining: 116,
  startedAt: now - 60_000,
  interruptedAt: now - 30_000,
  checkpointAt: now - 30_000,
  gitCommit: 'a1b2c3d',
  estimatedTime: 120_000,
  canResume: true,
  reason: null,
};

void (async () => {
  const choice = await promptResume(info, { now });
  process.stdout.write(`answered ${choice} raw=${process.stdin.isRaw}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.once('line', (line) => {
    process.stdout.write(`line ${line}\n`);
    rl.close();
  });
})();
