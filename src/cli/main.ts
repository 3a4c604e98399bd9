import { Command, CommanderError } from 'commander';
import type { CommandEnv } from './command-kit';
import { registerDemo } from './commands/demo';
import { registerDoctor } from './commands/doctor';
import { registerHistory } from './commands/history';
import { registerMaintain } from './commands/maintain';
import { registerResume } from './commands/resume';
import { registerStatus } from './commands/status';
import { EXIT, type ExitCode } from './exit-codes';
import { type CliIo, processIo } from './io';
import { Output } from './output';

// The package version, read at run time so the build does not need to copy package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an import would pull package.json into the build's rootDir
const { version } = require('../../package.json') as { version: string };

/**
 * The `cidx-progress` program: one subcommand per file under commands/. With
 * `jsonErrors`, commander's own messages (a bad option, an unknown command) are not
 * written: run() reports them as one JSON document instead.
 */
export function buildProgram(env: CommandEnv, jsonErrors = false): Command {
  const program = new Command('cidx-progress')
    .description('Look at and look after the progress stores of CIDX syncs (one SQLite file per project).')
    .version(version)
    // Settings before the subcommands: `.command()` copies them to each one.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.io.stdout.write(text),
      writeErr: (text) => {
        if (!jsonErrors) env.io.stderr.write(text);
      },
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 error, 2 usage, 3 nothing found, 4 doctor found problems, 5 cancelled, 6 demo interrupted on purpose,\n' +
        "7 unsafe store folder (a link, or another user's file), 8 the store needs repair or migration (run doctor --repair).\n" +
        'status --watch: 0 the sync completed, 10 it failed, 5 it was cancelled, 6 it was interrupted, 3 none running, 130 Ctrl-C.\n' +
        'With --json, every failure (a bad command line too) is one {"error": {"code", "message"}} document on stdout.\n' +
        'A command that writes to a store ({dir}/{project}.db: demo, maintain, resume answered S) opens it as CIDX does:\n' +
        'migrations applied, a damaged file moved aside and replaced, the folder made owner-only (0700, an existing\n' +
        'one too) and the files 0600. README, "Using it from CIDX", says more.',
    );
  registerStatus(program, env);
  registerResume(program, env);
  registerHistory(program, env);
  registerMaintain(program, env);
  registerDoctor(program, env);
  registerDemo(program, env);
  return program;
}

/** Run the command line `argv` (without node and the script) and return its exit code. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  const json = jsonRequested(argv);
  const program = buildProgram({ io, setExit: (code) => (exitCode = code) }, json);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Help and --version end through here with 0; a bad command line with anything else.
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return EXIT.OK;
    if (json) new Output(io, true).printJson({ error: { code: 'USAGE', message: usageMessage(error) } });
    return EXIT.USAGE;
  }
}

/**
 * `--json` anywhere before the `--` that ends the options: known before commander has
 * parsed anything, so its own errors (which come before any option is set) can be JSON too.
 */
export function jsonRequested(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Commander's message without the "error: " meant for a terminal. */
function usageMessage(error: CommanderError): string {
  return error.message.replace(/^error: /, '');
}

/**
 * The bin's entry point (bin/cidx-progress.js). The exit code is set, not forced, so
 * output is flushed before the process ends.
 */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = processIo()): Promise<void> {
  // Output piped into `head` and the like: a closed pipe ends the command quietly.
  for (const stream of [io.stdout, io.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      io.exit(Number(process.exitCode ?? EXIT.OK));
    });
  }
  try {
    process.exitCode = await run(argv, io);
  } catch (error) {
    io.stderr.write(
      `cidx-progress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.ERROR;
  }
}
