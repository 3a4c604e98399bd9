import fs from 'node:fs';
import type { Command } from 'commander';
import { promptResume } from '../../presentation/prompt-resume';
import { renderResumePrompt, type ResumeChoice } from '../../presentation/resume-prompt';
import { formatDurationShort } from '../../presentation/durations';
import type { ProgressStore } from '../../store';
import { type CommandEnv, handle, integerIn, withStoreOptions } from '../command-kit';
import { commitDemoChange, createDemoRepo, headCommit, isGitRepo, listFiles } from '../demo/demo-repo';
import { createProgressView } from '../demo/progress-view';
import { DEMO_PHASES, simulateSync, type SimulationSpec } from '../demo/simulated-sync';
import { DEMO_PROJECT, type DemoOptions, type DemoPlace, demoPlace } from '../demo/demo-place';
import { runStory } from '../demo/story';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import { openStore } from '../store-target';

/** Indexing should take about this long on the demo's default pace, whatever the repository size. */
const INDEXING_BUDGET_MS = 3000;
const MAX_DELAY_MS = 60;

export function registerDemo(program: Command, env: CommandEnv): void {
  const command = program
    .command('demo')
    .description(
      'a simulated sync to watch: progress bar, checkpoints, an interrupt, the resume prompt, the history',
    )
    .option('--repo <dir>', 'walk this git repository (read only) instead of a small one the demo creates')
    .option(
      '--interrupt-at <percent>',
      'stop the process (a real exit, no finish) once the sync reaches this percent (a resumed run already past it: once it moves on)',
      integerIn(1, 99),
    )
    .option(
      '--yes',
      'answer Resume when the resume prompt appears (Start fresh when the checkpoint cannot be used)',
    )
    .option('--read-stdin', 'read the prompt answer from stdin even when it is not a terminal')
    .option('--delay <ms>', 'pause per step (default: about 3 s of indexing in all)', integerIn(0, 10_000))
    .option(
      '--story',
      'everything in one go: a sync interrupted at 40%, its status, the resumed sync, the history',
    );
  withStoreOptions(command);
  command.addHelpText(
    'after',
    `\nThe store is {dir}/{project}.db (project "${DEMO_PROJECT}", dir a new temporary folder unless --dir is given);\n` +
      'the created repository lives beside it in {dir}/demo-repo. Run again with the same --dir to see the resume prompt.',
  );
  handle<DemoOptions>(command, env, (options, out) =>
    options.story ? runStory(options, out, env) : demo(options, out, env),
  );
}

async function demo(options: DemoOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const { io } = env;
  const place = demoPlace(options, io.cwd);
  const { target, repoDir } = place;
  out.line(out.style('bold', 'cidx-progress demo: a simulated CIDX sync, recorded as it goes'));
  out.line(`  store:      ${target.dbPath}`);
  // The store first: a folder it refuses (a link, another user's, a shared one) must get
  // no demo repository either.
  const store = openStore(target, io);
  try {
    const existed = fs.existsSync(repoDir);
    if (place.ownRepo && !existed) {
      const count = await createDemoRepo(repoDir);
      out.line(`  repository: ${repoDir} (created: ${count} files, 2 commits)`);
    } else {
      if (!(await isGitRepo(repoDir)))
        throw new CliError(EXIT.USAGE, `${repoDir} is not a git repository with a commit`);
      out.line(`  repository: ${repoDir}`);
    }
    return await syncOnce(store, place, existed, options, out, env);
  } finally {
    // Not reached on the interrupt: the process is gone by then, as after a crash.
    store.close();
  }
}

async function syncOnce(
  store: ProgressStore,
  place: DemoPlace,
  existed: boolean,
  options: DemoOptions,
  out: Output,
  env: CommandEnv,
): Promise<ExitCode> {
  const { repoDir } = place;
  if (place.ownRepo && existed) {
    const change = await commitDemoChange(repoDir);
    out.line(
      `  committed a change since the last run: ${change.modified.length} modified, ${change.added.length} added, ` +
        `${change.deleted.length} deleted (${[...change.modified, ...change.added, ...change.deleted].join(', ')})`,
    );
  }
  out.line('');

  const info = store.resume.checkResumable();
  let resumed: ReturnType<typeof resumeFrom> | null = null;
  if (info) {
    let choice: ResumeChoice;
    if (options.yes) {
      choice = info.canResume ? 'resume' : 'fresh';
      out.text(`${renderResumePrompt(info)}${choice} (--yes)\n`);
    } else {
      choice = await promptResume(info, {
        input: env.io.stdin,
        output: env.io.stdout,
        readNonTty: options.readStdin === true,
      });
    }
    out.line('');
    if (choice === 'cancel') {
      out.line('Cancelled: the checkpoint is kept for next time.');
      return EXIT.CANCELLED;
    }
    if (choice === 'fresh') {
      store.resume.startFresh(info.jobId);
      out.line('Starting fresh: the old checkpoint is cleared.');
    } else {
      resumed = resumeFrom(store, info.jobId, info.progress, repoDir, out);
    }
  }

  const files = await listFiles(repoDir);
  const sync =
    resumed?.sync ??
    store.recording.startSync({
      gitCommit: await headCommit(repoDir),
      files,
      phases: DEMO_PHASES,
      metadata: { demo: true },
    });
  if (resumed && resumed.files === null) sync.planFiles(files);
  const toIndex = resumed?.files ?? files;
  const spec: SimulationSpec = {
    repoDir,
    sync,
    startPhase: resumed?.startPhase ?? DEMO_PHASES[0]!.name,
    floorPercent: resumed?.floorPercent ?? 0,
    files: toIndex,
    filesAlreadyDone: resumed?.filesSkipped ?? 0,
    delayMs:
      options.delay ?? Math.min(MAX_DELAY_MS, Math.floor(INDEXING_BUDGET_MS / Math.max(1, files.length))),
    interruptAt: options.interruptAt ?? null,
    interrupt: (percent) => {
      out.line('');
      out.line(
        out.style(
          'yellow',
          `✂ Interrupted at ${Math.floor(percent)}%: the process exits now, without finishing the sync (as a crash would).`,
        ),
      );
      out.line(
        `  Run it again to be offered to resume: npx cidx-progress demo --dir ${place.target.dir} --project ${place.target.projectId}`,
      );
      return env.io.exit(EXIT.INTERRUPTED);
    },
    view: createProgressView(out),
  };
  out.line(
    spec.filesAlreadyDone > 0 || spec.floorPercent > 0
      ? `Continuing from ${Math.floor(spec.floorPercent)}% (${spec.startPhase}):`
      : `Syncing ${files.length} files:`,
  );
  if (spec.interruptAt !== null && spec.floorPercent >= spec.interruptAt)
    out.line(`  (already past --interrupt-at ${spec.interruptAt}%: interrupting once this run moves on)`);
  const started = performance.now();
  const { filesIndexed, bytesProcessed } = await simulateSync(spec);
  // filesIndexed is left to the store: the ledger's count covers the runs before a resume too.
  sync.finish({ bytesProcessed, filesChanged: toIndex.length });
  out.line('');
  out.line(
    out.style(
      'green',
      `✓ Sync complete in ${formatDurationShort(performance.now() - started)}: ${filesIndexed} files indexed`,
    ) +
      (spec.filesAlreadyDone > 0 ? `, ${spec.filesAlreadyDone} skipped thanks to the checkpoint` : '') +
      '.',
  );
  out.line(
    `  See it: npx cidx-progress history --dir ${place.target.dir} --project ${place.target.projectId}`,
  );
  return EXIT.OK;
}

/** Claim the checkpoint, merging what changed in the repository since, and say what the plan skips. */
function resumeFrom(store: ProgressStore, jobId: string, progress: number, repoDir: string, out: Output) {
  const { plan, sync } = store.resume.resume(jobId, { repoDir });
  if (plan.fullSyncRequired) {
    // The new sync starts from nothing: plan every file and walk them all.
    out.line(`The checkpoint cannot be used (${plan.reason}): a full sync, recorded as a new one.`);
    return { sync, startPhase: plan.startPhase, files: null, filesSkipped: 0, floorPercent: 0 };
  }
  out.line(`Resuming ${plan.resumedJobId.slice(0, 8)} as ${plan.jobId.slice(0, 8)}:`);
  if (plan.skipPhases.length > 0) out.line(`  • phases already done: ${plan.skipPhases.join(', ')}`);
  out.line(`  • files already indexed, skipped: ${plan.filesSkipped}`);
  out.line(`  • files to index: ${plan.filesToProcess.length}`);
  if (plan.fromCommit && plan.toCommit && plan.fromCommit !== plan.toCommit) {
    out.line(
      `  • merged the changes ${plan.fromCommit.slice(0, 8)}..${plan.toCommit.slice(0, 8)}; ` +
        `indexed files to remove: ${plan.filesToRemove.join(', ') || 'none'}`,
    );
  }
  return {
    sync,
    startPhase: plan.startPhase,
    files: plan.filesToProcess,
    filesSkipped: plan.filesSkipped,
    floorPercent: progress,
  };
}
