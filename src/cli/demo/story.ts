import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { runHistory } from '../commands/history';
import { runStatus } from '../commands/status';
import type { CommandEnv } from '../command-kit';
import { type DemoOptions, demoPlace } from './demo-place';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import type { Output } from '../output';

/** Where the story interrupts its first sync unless --interrupt-at says otherwise. */
const STORY_INTERRUPT_AT = 40;

/**
 * `demo --story` (what `npm run demo` runs): the whole story in one go. The two syncs
 * run as child processes of this one, so the interrupt is a real process exit and the
 * resume happens in a process that knows nothing but the store file.
 */
export async function runStory(options: DemoOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const { target } = demoPlace(options, env.io.cwd);
  const common = ['demo', '--dir', target.dir, '--project', target.projectId];
  if (options.repo) common.push('--repo', options.repo);
  if (options.delay !== undefined) common.push('--delay', String(options.delay));
  const interruptAt = options.interruptAt ?? STORY_INTERRUPT_AT;
  const step = (n: number, text: string) => {
    out.line('');
    out.line(out.style('bold', `── Step ${n} of 4: ${text}`));
    out.line('');
  };

  step(1, `a sync, interrupted at ${interruptAt}% by a real process exit`);
  expectExit(
    'the interrupted run',
    await runSelf([...common, '--interrupt-at', String(interruptAt)], env.io),
    EXIT.INTERRUPTED,
  );

  step(2, 'cidx-progress status: its process is gone, so the sync is incomplete');
  await runStatus({ project: target.projectId, dir: target.dir }, out, env);

  step(3, 'the next run: the resume prompt, answered Resume (--yes), finishes from the checkpoint');
  expectExit('the resumed run', await runSelf([...common, '--yes'], env.io), EXIT.OK);

  step(4, 'cidx-progress history');
  await runHistory({ project: target.projectId, dir: target.dir, days: 7 }, out, env);

  out.line('');
  out.line(`Everything is in ${target.dir} (remove it when done). Try:`);
  for (const command of ['status', 'history', 'doctor', 'demo --interrupt-at 60', 'demo']) {
    out.line(`  npx cidx-progress ${command} --dir ${target.dir} --project ${target.projectId}`);
  }
  return EXIT.OK;
}

function expectExit(what: string, code: number, expected: ExitCode): void {
  if (code !== expected)
    throw new CliError(EXIT.ERROR, `${what} ended with exit code ${code}, expected ${expected}`);
}

/**
 * A stream with a file descriptor (a terminal, a file) is handed to the child as is, so a
 * terminal stays a terminal and the child draws its bar; anything else is piped through.
 */
function childStream(stream: CliIo['stdout']): 'pipe' | Writable {
  return typeof (stream as { fd?: unknown }).fd === 'number' ? (stream as unknown as Writable) : 'pipe';
}

async function runSelf(args: string[], io: CliIo): Promise<number> {
  const [command, ...prefix] = io.selfCommand;
  const child = spawn(command!, [...prefix, ...args], {
    cwd: io.cwd,
    env: io.env,
    stdio: ['ignore', childStream(io.stdout), childStream(io.stderr)],
  });
  child.stdout?.on('data', (chunk: Buffer) => io.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => io.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    // Killed by a signal (no code): an error, like any other unexpected end.
    child.on('close', (code) => resolve(code ?? EXIT.ERROR));
  });
}
