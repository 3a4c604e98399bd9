import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { promptResume } from '../../presentation/prompt-resume';
import { renderResumeDetails, renderResumePrompt, type ResumeChoice } from '../../presentation/resume-prompt';
import type { ResumeInfo } from '../../services/resume/resume-info';
import { type CommandEnv, handle, withJsonOption, withStoreOptions } from '../command-kit';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import {
  NO_AUTO_MAINTENANCE,
  resolveTarget,
  type StoreOptions,
  withReadOnlyStore,
  withStore,
} from '../store-target';

export type ResumeAnswer = ResumeChoice | 'details';

interface ResumeOptions extends StoreOptions {
  json?: boolean;
  choice?: ResumeAnswer;
  readStdin?: boolean;
}

/** `--json` shape of `resume` (documented in the README). */
export interface ResumeJson {
  project: string;
  store: string;
  /** The incomplete sync that was offered, or null when there is none (exit 3). */
  resumable: ResumeInfo | null;
  choice: ResumeAnswer | null;
  /** `kept`: the checkpoint stays for the next sync; `cleared`: started fresh; `none`: nothing changed. */
  action: 'kept' | 'cleared' | 'none';
}

const CHOICES: Record<string, ResumeAnswer> = {
  r: 'resume',
  resume: 'resume',
  s: 'fresh',
  fresh: 'fresh',
  v: 'details',
  view: 'details',
  details: 'details',
  c: 'cancel',
  cancel: 'cancel',
};

/** `--choice r|s|v|c` (or the words). */
export function parseChoiceOption(value: string): ResumeAnswer {
  const choice = CHOICES[value.trim().toLowerCase()];
  if (!choice)
    throw new InvalidArgumentError('expected r (resume), s (start fresh), v (view details) or c (cancel)');
  return choice;
}

export function registerResume(program: Command, env: CommandEnv): void {
  const command = program
    .command('resume')
    .description(
      'the prompt CIDX shows before a sync when the last one did not finish: resume it, start fresh, view details or cancel',
    )
    .option(
      '--choice <r|s|v|c>',
      'answer without asking: resume, start fresh, view details, cancel',
      parseChoiceOption,
    )
    .option(
      '--read-stdin',
      'read the answer from stdin even when it is not a terminal (answers piped by a script)',
    );
  withJsonOption(withStoreOptions(command));
  command.addHelpText(
    'after',
    '\nWithout --choice the prompt waits for a person at a terminal, who answers with one key: R, S, V, C,\n' +
      'Enter for the recommended answer, Ctrl-C to cancel. When stdin is not a terminal it never waits: it\n' +
      'answers Resume when the checkpoint is usable, else Cancel, unless --read-stdin is given; then it\n' +
      'reads one answer per line, asks again on one it does not understand, and cancels if the input ends.\n' +
      'Resume keeps the checkpoint for the next sync; Start fresh clears it. Cancel exits with 5.',
  );
  handle<ResumeOptions>(command, env, (options, out) => resume(options, out, env));
}

async function resume(options: ResumeOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const { io } = env;
  const target = await resolveTarget(options, io);
  // Looking is read-only; only Start fresh writes, through a store of its own.
  return withReadOnlyStore(target, io, async (store) => {
    const info = store.resume.checkResumable();
    const result: ResumeJson = {
      project: target.projectId,
      store: target.dbPath,
      resumable: info,
      choice: null,
      action: 'none',
    };
    if (!info) {
      if (out.json) out.printJson(result);
      else out.line(`No incomplete sync to resume for project ${target.projectId}.`);
      return EXIT.NOT_FOUND;
    }
    // Under --json the prompt is for the person, on stderr; stdout stays one JSON document.
    const promptStream = out.json ? io.stderr : io.stdout;
    let choice: ResumeAnswer;
    if (options.choice) {
      choice = options.choice;
      if (choice === 'details') out.text(renderResumeDetails(info));
      else out.text(`${renderResumePrompt(info)}${choice} (--choice)\n`);
    } else {
      // Piped, the command changes nothing on its own: Cancel where the API would start fresh.
      const nonInteractiveChoice = info.canResume ? 'resume' : 'cancel';
      choice = await promptResume(info, {
        input: io.stdin,
        output: promptStream,
        readNonTty: options.readStdin === true,
        nonInteractiveChoice,
      });
    }
    result.choice = choice;
    if (choice === 'resume' && !info.canResume) {
      throw new CliError(
        EXIT.ERROR,
        `the checkpoint cannot be used (${info.reason}); choose s to start fresh`,
      );
    }
    if (choice === 'fresh') {
      await withStore(target, io, (writable) => writable.resume.startFresh(info.jobId), NO_AUTO_MAINTENANCE);
      result.action = 'cleared';
    } else if (choice === 'resume') {
      result.action = 'kept';
    }
    if (out.json) out.printJson(result);
    else if (choice !== 'details') out.line(outcome(result, info));
    return choice === 'cancel' ? EXIT.CANCELLED : EXIT.OK;
  });
}

function outcome(result: ResumeJson, info: ResumeInfo): string {
  switch (result.action) {
    case 'kept':
      return `Kept the checkpoint: the next sync of ${result.project} resumes at ${Math.floor(info.progress)}% (${info.phase}, ${info.filesRemaining} files to go).`;
    case 'cleared':
      return `Cleared the checkpoint: the next sync of ${result.project} starts from the beginning.`;
    default:
      return 'Cancelled: nothing was changed.';
  }
}
