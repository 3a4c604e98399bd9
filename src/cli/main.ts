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

// The package version, read at run time so the build does not need to copy package.json.
const { version } = require('../../package.json') as { version: string };

/** The `cidx-progress` program: one subcommand per file under commands/. */
export function buildProgram(env: CommandEnv): Command {
  const program = new Command('cidx-progress')
    .description('Look at and look after the progress stores of CIDX syncs (one SQLite file per project).')
    .version(version)
    // Settings before the subcommands: `.command()` copies them to each one.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => env.io.stdout.write(text),
      writeErr: (text) => env.io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 error, 2 usage, 3 nothing found, 4 doctor found problems, 5 cancelled, 6 demo interrupted on purpose, 7 the store needs repair or migration (run doctor --repair).');
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
  const program = buildProgram({ io, setExit: (code) => (exitCode = code) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Help and --version end through here with 0; a bad command line with anything else.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw error;
  }
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
    io.stderr.write(`cidx-progress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.ERROR;
  }
}
