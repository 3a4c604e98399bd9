import { createInterface } from 'node:readline';
import type { ResumeInfo } from '../services/resume/resume-info';
import { parseChoice, renderResumeDetails, renderResumePrompt, renderRetryHint, type ResumeChoice } from './resume-prompt';

export interface PromptResumeOptions {
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
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

/**
 * Show the resume prompt and wait for R/S/V/C (either case; Enter takes the
 * recommendation). V shows details and asks again; anything else asks again. On a
 * stream that is not a TTY it does not wait for anyone: it prints the prompt and returns
 * the non-interactive choice. The input ending also returns that choice.
 */
export async function promptResume(info: ResumeInfo, options: PromptResumeOptions = {}): Promise<ResumeChoice> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const now = options.now ?? Date.now();
  const fallback: ResumeChoice = options.nonInteractiveChoice ?? (info.canResume ? 'resume' : 'cancel');
  output.write(renderResumePrompt(info, now));
  if (!input.isTTY && !options.readNonTty) {
    output.write(`${fallback} (not a terminal)\n`);
    return fallback;
  }
  const rl = createInterface({ input, terminal: false });
  try {
    for await (const line of rl) {
      const choice = parseChoice(line, info);
      if (choice === 'details') output.write(`\n${renderResumeDetails(info, now)}\nChoice: `);
      else if (choice === null) output.write(`${renderRetryHint(info)}\nChoice: `);
      else return choice;
    }
    return fallback;
  } finally {
    rl.close();
  }
}
