import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { openProgressStore, type ProgressStore, type ProgressStoreOptions, systemClock } from '../../src';
import type { CliIo } from '../../src/cli/io';
import { run } from '../../src/cli/main';
import { DEMO_PHASES } from '../../src/cli/demo/simulated-sync';

/** The real command line in a child process (TypeScript sources through the transpile hook). */
export const CLI_CHILD = path.join(__dirname, 'children', 'cli.js');

/** Thrown by a fake io's exit(): the demo's interrupt, without ending the test process. */
export class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

class Capture extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns: number | undefined,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface FakeIoOptions {
  /** stdout and stderr are terminals. */
  tty?: boolean;
  columns?: number;
  /** stdin is a terminal (answers come from `input` either way). */
  stdinTty?: boolean;
  /** Lines typed on stdin, then end of input. */
  input?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface FakeIo extends CliIo {
  stdout: Capture;
  stderr: Capture;
  /** Codes exit() was called with. */
  exitCodes: number[];
  /** Ctrl-C, as the process would receive it: calls the handlers registered with onInterrupt. */
  interrupt(): void;
  /** Handlers registered with onInterrupt and not yet removed. */
  interruptHandlers: Set<() => void>;
}

/** Streams that record what a command wrote; exit() throws ExitCalled instead of ending jest. */
export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  const stdin = Readable.from((options.input ?? []).map((line) => `${line}\n`)) as Readable & {
    isTTY?: boolean;
  };
  stdin.isTTY = options.stdinTty ?? false;
  const exitCodes: number[] = [];
  const interruptHandlers = new Set<() => void>();
  return {
    stdout: new Capture(options.tty ?? false, options.columns),
    stderr: new Capture(options.tty ?? false, options.columns),
    stdin,
    env: options.env ?? cliEnv(),
    cwd: options.cwd ?? process.cwd(),
    exitCodes,
    exit: (code) => {
      exitCodes.push(code);
      throw new ExitCalled(code);
    },
    selfCommand: [process.execPath, CLI_CHILD],
    interruptHandlers,
    onInterrupt: (handler) => {
      interruptHandlers.add(handler);
      return () => interruptHandlers.delete(handler);
    },
    interrupt: () => {
      for (const handler of [...interruptHandlers]) handler();
    },
  };
}

/** An environment with no colour hints and no project from the outside world. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const key of ['NO_COLOR', 'FORCE_COLOR', 'CIDX_PROJECT_ID', 'CIDX_HOME', 'CIDX_PROGRESS_DB']) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the command line in this process (for coverage); see CLI_CHILD for the real process. */
export async function runCli(
  argv: string[],
  options: FakeIoOptions = {},
): Promise<CliResult & { io: FakeIo }> {
  const io = fakeIo(options);
  const code = await run(argv, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text, io };
}

/** Escape codes of any kind (colour, cursor). */
// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

export const PROJECT = 'acme-api';

export function openStore(
  dir: string,
  projectId = PROJECT,
  options: Partial<ProgressStoreOptions> = {},
): ProgressStore {
  return openProgressStore({ projectId, dir, clock: systemClock, onWarning: () => {}, ...options });
}

export const seedFiles = (n: number) =>
  Array.from({ length: n }, (_, i) => `src/file-${String(i).padStart(3, '0')}.ts`);

/**
 * A sync stopped at `percent` in indexing with a checkpoint, whose process let go of it
 * (the store closed): what an interrupted sync looks like to the next run.
 */
export function seedInterrupted(dir: string, percent = 40, projectId = PROJECT): string {
  const store = openStore(dir, projectId);
  const files = seedFiles(20);
  const sync = store.recording.startSync({
    files,
    phases: DEMO_PHASES,
    gitCommit: 'abc1234'.padEnd(40, '0'),
  });
  const done = Math.floor((files.length * percent) / 100);
  sync.completeFiles(files.slice(0, done));
  sync.update({
    phase: 'Indexing Files',
    percent,
    phasePercent: 30,
    filesProcessed: done,
    totalFiles: files.length,
    rate: 4,
  });
  sync.flush();
  store.close();
  return sync.jobId;
}

/** A finished sync, for history. */
export function seedCompleted(dir: string, projectId = PROJECT): string {
  const store = openStore(dir, projectId);
  const files = seedFiles(5);
  const sync = store.recording.startSync({ files, phases: DEMO_PHASES });
  sync.completeFiles(files);
  sync.update({
    phase: 'Validating Index',
    percent: 100,
    phasePercent: 100,
    filesProcessed: 5,
    totalFiles: 5,
    rate: 5,
  });
  sync.finish({ filesIndexed: 5, bytesProcessed: 500 });
  store.close();
  return sync.jobId;
}

/**
 * Completed syncs that took `durationsMs` each (oldest first), started a minute apart
 * within the last hour on a clock moved by hand, for the history and its chart.
 */
export function seedTimedSyncs(dir: string, durationsMs: readonly number[], projectId = PROJECT): string[] {
  let wall = Date.now() - 3_600_000;
  let mono = 0;
  const clock = { now: () => wall, monotonic: () => mono };
  const store = openStore(dir, projectId, { clock });
  try {
    return durationsMs.map((ms) => {
      const files = seedFiles(3);
      const sync = store.recording.startSync({ files, phases: DEMO_PHASES });
      wall += ms;
      mono += ms;
      sync.completeFiles(files);
      sync.update({
        phase: 'Validating Index',
        percent: 100,
        phasePercent: 100,
        filesProcessed: 3,
        totalFiles: 3,
        rate: 3,
      });
      sync.finish({ filesIndexed: 3 });
      wall += 60_000;
      mono += 60_000;
      return sync.jobId;
    });
  } finally {
    store.close();
  }
}
