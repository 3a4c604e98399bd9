import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A script under test/support/children/. */
export const childScript = (name: string): string => path.join(__dirname, 'children', name);

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildHandle {
  readonly process: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout line matching `match` (already printed ones count). */
  waitForLine(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Write one line to the child's stdin. */
  send(line: string): void;
  /** Resolves when the child has exited and its output is complete. */
  readonly exited: Promise<ChildResult>;
}

const running = new Set<ChildProcess>();

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  cwd?: string;
}

/**
 * Start `node <script> ...args` as a real process (see test/support/children/). Children
 * still running when a test ends are killed (each by its own handle), so a failed test
 * never leaves a process holding a lock on the next test's file.
 */
export function startChild(script: string, args: string[] = [], options: ChildOptions = {}): ChildHandle {
  return startProcess(process.execPath, [script, ...args], options);
}

/** Run a child script to completion. */
export function runChild(
  script: string,
  args: string[] = [],
  options: ChildOptions = {},
): Promise<ChildResult> {
  return startChild(script, args, options).exited;
}

/** Run any executable (say, node_modules/.bin/drizzle-kit) to completion. */
export function runCommand(
  command: string,
  args: string[] = [],
  options: ChildOptions = {},
): Promise<ChildResult> {
  return startProcess(command, args, options).exited;
}

function startProcess(command: string, argv: string[], options: ChildOptions): ChildHandle {
  const child = spawn(command, argv, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);

  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    lines.push(...complete);
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  // A child that exits early must not crash the test with EPIPE on a later send().
  child.stdin.on('error', () => {});

  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (partial) lines.push(partial);
      partial = '';
      for (const wake of waiters) wake();
      resolve({ code, signal, stdout, stderr });
    });
  });
  let done = false;
  void exited.then(
    () => (done = true),
    () => (done = true),
  );

  const describeChild = () => [path.basename(command), ...argv.map((a) => path.basename(a))].join(' ');

  return {
    process: child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    send(line: string) {
      child.stdin.write(`${line}\n`);
    },
    waitForLine(match, timeoutMs = 20_000) {
      const test = (line: string) => (typeof match === 'string' ? line.includes(match) : match.test(line));
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (found !== undefined) return finish(() => resolve(found));
          if (done) {
            finish(() =>
              reject(
                new Error(
                  `${describeChild()} exited before printing ${match}\nstdout: ${stdout}\nstderr: ${stderr}`,
                ),
              ),
            );
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `timed out waiting for ${match} from ${describeChild()}\nstdout: ${stdout}\nstderr: ${stderr}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The last stdout line of a child that prints one JSON result, parsed. */
export function lastJsonLine<T = unknown>(stdout: string): T {
  const line = stdout.trim().split('\n').pop();
  if (!line) throw new Error('the child printed nothing');
  return JSON.parse(line) as T;
}

afterEach(() => {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
});
