import { type Command, InvalidArgumentError } from 'commander';
import { classifyError, type ExitCode } from './exit-codes';
import type { CliIo } from './io';
import { Output } from './output';

/** What every command needs from main: the streams, and where to leave its exit code. */
export interface CommandEnv {
  io: CliIo;
  setExit(code: ExitCode): void;
}

/** `--project` and `--dir`, on every command. */
export function withStoreOptions(command: Command): Command {
  return command
    .option(
      '--project <id>',
      'project id (default: $CIDX_PROJECT_ID, else the name of the current git repository)',
    )
    .option(
      '--dir <folder>',
      'folder of the project files (default: $CIDX_HOME/progress, else ~/.cidx/progress)',
    );
}

export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print one JSON document instead of text (shapes in the README)');
}

/** A commander value parser for a whole number in [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/**
 * Attach a command's handler. Whatever it throws becomes one message (on stderr, or a
 * `{"error": {code, message}}` document on stdout under --json) and the exit code
 * documented for it; nothing escapes as a stack trace.
 */
export function handle<O extends object>(
  command: Command,
  env: CommandEnv,
  handler: (options: O, out: Output) => Promise<ExitCode>,
): Command {
  return command.action(async (options: O) => {
    const out = new Output(env.io, (options as { json?: unknown }).json === true);
    try {
      env.setExit(await handler(options, out));
    } catch (error) {
      const { exitCode, code, message } = classifyError(error);
      if (out.json) out.printJson({ error: { code, message } });
      else out.note(`cidx-progress ${command.name()}: ${message}`);
      env.setExit(exitCode);
    }
  });
}
