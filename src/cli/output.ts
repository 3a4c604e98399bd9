import type { CliIo } from './io';

type Stream = CliIo['stdout'];

/**
 * Colour only for a person at a terminal: never when the stream is not a TTY (a pipe,
 * a file, CI logs), when NO_COLOR is set to anything (https://no-color.org), or when
 * TERM=dumb. Plain output is the same text without escape codes.
 */
export function colorAllowed(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;
export type Style = keyof typeof ANSI;

/** Where a command writes: text for people on stdout, errors on stderr, or one JSON document. */
export class Output {
  /** ANSI colour allowed on stdout. */
  readonly color: boolean;
  /** stdout is a terminal a person watches: live redraws (progress bars) are fine. */
  readonly interactive: boolean;

  constructor(
    private readonly io: CliIo,
    /** `--json`: stdout carries exactly one JSON document; text for people goes nowhere. */
    readonly json: boolean = false,
  ) {
    this.interactive = io.stdout.isTTY === true && io.env.TERM !== 'dumb' && !json;
    this.color = !json && colorAllowed(io.stdout, io.env);
  }

  get stdout(): Stream {
    return this.io.stdout;
  }

  /** Columns of the terminal, or 80 when stdout is not one. */
  get width(): number {
    return this.io.stdout.columns && this.io.stdout.columns > 0 ? this.io.stdout.columns : 80;
  }

  style(style: Style, text: string): string {
    if (!this.color) return text;
    const [on, off] = ANSI[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  /** A line for people (suppressed under --json, so stdout stays one JSON document). */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** Text for people, as is (no newline added). */
  text(text: string): void {
    if (!this.json) this.io.stdout.write(text);
  }

  /** A note or warning for people: stderr, so it never mixes into piped or JSON output. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /**
   * JSON Lines: the command prints one JSON object per line (`status --watch --json`), so
   * printJson, its error document included, writes one line too.
   */
  jsonLines = false;

  /** The JSON document of a --json command: two-space indented (one line under jsonLines), one trailing newline. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${this.jsonLines ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
  }
}
