import { createInterface } from 'node:readline';
import type { ResumeInfo } from '../services/resume/resume-info';
import {
  parseChoice,
  renderResumeDetails,
  renderResumePrompt,
  renderRetryHint,
  type ResumeChoice,
} from './resume-prompt';

/** A terminal's input as Node gives it (tty.ReadStream): raw mode turns line editing off. */
type PromptInput = NodeJS.ReadableStream & {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
};

export interface PromptResumeOptions {
  input?: PromptInput;
  output?: NodeJS.WritableStream;
  /** What a non-interactive run answers. Default: resume when possible, else cancel. */
  nonInteractiveChoice?: ResumeChoice;
  /**
   * Treat the input as a person even when it is not a TTY (answers piped in by a script
   * or a test). Without it a non-TTY input is never read, so nothing ever blocks.
   */
  readNonTty?: boolean;
  now?: number;
}

type RawInput = PromptInput & { setRawMode(mode: boolean): unknown };
type Answer = ReturnType<typeof parseChoice>;

/** A real terminal (a test's fake one too): keys can be read one at a time. */
const isRawCapable = (input: PromptInput): input is RawInput =>
  input.isTTY === true && typeof input.setRawMode === 'function';

/**
 * Show the resume prompt and wait for R/S/V/C (either case; Enter takes the
 * recommendation). On a terminal one keypress answers (raw mode, restored afterwards
 * however the prompt ends; Ctrl-C and Ctrl-D cancel); piped answers are read a line at a
 * time. V shows details and asks again; anything else asks again. The input ending
 * before an answer cancels. On a stream that is not a TTY it does not wait for anyone
 * unless `readNonTty`: it prints the prompt and returns the non-interactive choice (by
 * default the recommended one: Resume when the checkpoint is usable, else Start fresh).
 */
export async function promptResume(
  info: ResumeInfo,
  options: PromptResumeOptions = {},
): Promise<ResumeChoice> {
  const input: PromptInput = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const now = options.now ?? Date.now();
  // The recommended answer: an unattended caller that cancelled on an unusable checkpoint
  // would be offered the same one, and cancel, on every later run.
  const fallback: ResumeChoice = options.nonInteractiveChoice ?? (info.canResume ? 'resume' : 'fresh');
  const prompt = renderResumePrompt(info, now);
  if (!input.isTTY && !options.readNonTty) {
    output.write(`${prompt}${fallback} (not a terminal)\n`);
    return fallback;
  }
  const ask = { info, output, now };
  let choice: ResumeChoice | null;
  if (isRawCapable(input)) {
    choice = await readKeys(input, prompt, ask);
  } else {
    output.write(prompt);
    choice = await readLines(input, ask);
  }
  if (choice === null) output.write('(end of input: cancelled)\n');
  return choice ?? 'cancel';
}

interface Ask {
  info: ResumeInfo;
  output: NodeJS.WritableStream;
  now: number;
}

/** Act on one answer: the choice, or null after asking again (details shown, or not understood). */
function settleAnswer(answer: Answer, ask: Ask, again: string): ResumeChoice | null {
  if (answer === 'details') ask.output.write(`\n${renderResumeDetails(ask.info, ask.now)}\nChoice: `);
  else if (answer === null) ask.output.write(`${again}\nChoice: `);
  else return answer;
  return null;
}

/** Answers typed or piped a line at a time; null when the input ends first. */
async function readLines(input: PromptInput, ask: Ask): Promise<ResumeChoice | null> {
  const rl = createInterface({ input, terminal: false });
  try {
    for await (const line of rl) {
      const choice = settleAnswer(parseChoice(line, ask.info), ask, renderRetryHint(ask.info));
      if (choice) return choice;
    }
    return null;
  } finally {
    rl.close();
  }
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const ESC = '\u001b';

/**
 * Show the prompt and read one keypress at a time, in raw mode (no Enter, no echo, Ctrl-C arrives as a byte rather
 * than a signal). The mode the terminal had is put back and the stream paused (so the
 * process can end) however this returns; null when the terminal closes first.
 */
async function readKeys(input: RawInput, prompt: string, ask: Ask): Promise<ResumeChoice | null> {
  const wasRaw = input.isRaw === true;
  // Raw before the prompt shows: a key pressed the moment it appears is read as a key
  // (Ctrl-C included), not handled by the terminal's line mode.
  input.setRawMode(true);
  let settle!: (choice: ResumeChoice | null) => void;
  let fail!: (error: Error) => void;
  const answered = new Promise<ResumeChoice | null>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const onData = (chunk: Buffer | string) => {
    const keys = chunk.toString();
    // An arrow or function key is one escape sequence: not an answer.
    if (keys.startsWith(ESC)) return void settleAnswer(null, ask, PRESS_AGAIN);
    for (const key of keys) {
      const choice = settleAnswer(keyAnswer(key, ask.info), ask, PRESS_AGAIN);
      if (choice) {
        ask.output.write(`${ECHO[choice]}\n`);
        return settle(choice);
      }
    }
  };
  const onEnd = () => settle(null);
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', fail);
  try {
    ask.output.write(prompt);
    input.resume();
    return await answered;
  } finally {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', fail);
    input.setRawMode(wasRaw);
    input.pause();
  }
}

const PRESS_AGAIN = 'Please press R, S, V or C (Enter: the recommended one).';
/** What the terminal shows for the key that answered (raw mode does not echo). */
const ECHO: Record<ResumeChoice, string> = {
  resume: 'R (resume)',
  fresh: 'S (start fresh)',
  cancel: 'C (cancel)',
};

function keyAnswer(key: string, info: ResumeInfo): Answer {
  if (key === CTRL_C || key === CTRL_D) return 'cancel';
  if (key === '\r' || key === '\n') return parseChoice('', info);
  // A letter answers; a space or any other key must not pass for Enter.
  return key.trim() === '' ? null : parseChoice(key, info);
}
