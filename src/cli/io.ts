/** The streams and process facts a command uses: the real process in the bin, fakes in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * End the process now, without unwinding: the demo's interrupt is a real exit, so
   * nothing after it (no finish, no close) runs, exactly as in a crash.
   */
  exit(code: number): never;
  /** The command that runs this CLI again (node + script), for the demo's child runs. */
  selfCommand: string[];
  /**
   * Call `handler` on Ctrl-C (SIGINT) instead of ending the process, until the returned
   * function is called: a command that follows something stops cleanly.
   */
  onInterrupt(handler: () => void): () => void;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    exit: (code) => process.exit(code),
    selfCommand: [process.execPath, ...process.execArgv, process.argv[1]!],
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}
