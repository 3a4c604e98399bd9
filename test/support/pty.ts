import path from 'node:path';
import { runCommand } from './child-process';

/**
 * A command run on a real pseudo terminal (python3's pty module, see pty-run.py), fed a
 * script of keypresses: stdin, stdout and stderr are all that terminal, as for a person.
 */
export type PtyStep =
  | { wait: string }
  | { send: string }
  | { mode: string }
  | { signal: 'SIGINT' | 'SIGTERM' }
  | { sleep: number }
  | { touch: string };

export interface PtyResult {
  /** Everything the terminal showed (stdout and stderr together, \r\n line ends). */
  output: string;
  code: number | null;
  signal: string | null;
  /** Per `mode` step: the terminal was in line mode (ICANON and ECHO on) at that moment. */
  modes: Record<string, boolean>;
  /** A step that timed out, or a command that would not end. */
  error: string | null;
}

const DRIVER = path.join(__dirname, 'pty-run.py');

export async function runOnTerminal(
  command: string[],
  steps: PtyStep[],
  env: NodeJS.ProcessEnv,
): Promise<PtyResult> {
  const result = await runCommand('python3', [DRIVER, JSON.stringify(steps), ...command], { env });
  if (result.code !== 0) throw new Error(`pty-run failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyResult;
}

/** The terminal's text without escape codes, with \n line ends. */
export function plainText(output: string): string {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n/g, '\n');
}
