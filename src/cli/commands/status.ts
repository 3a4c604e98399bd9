import type { Command } from 'commander';
import { formatAgo, formatDurationShort } from '../../presentation/durations';
import type { RowDamage } from '../../errors';
import type { ResumeInfo } from '../../services/resume/resume-info';
import type { SyncStatusEntry } from '../../services/status-service';
import { type CommandEnv, handle, integerIn, withJsonOption, withStoreOptions } from '../command-kit';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import { watchSync } from '../watch/watch-sync';
import { requireStoreFile, resolveTarget, type StoreOptions, withReadOnlyStore } from '../store-target';

interface StatusOptions extends StoreOptions {
  json?: boolean;
  watch?: boolean;
  interval?: number;
}

/** `--json` shape of `status` (documented in the README). */
export interface StatusJson {
  project: string;
  store: string;
  /** When this was read (ms since the epoch): ages are relative to it. */
  now: number;
  /** Running syncs and incomplete ones that still hold a checkpoint, newest first. */
  syncs: (SyncStatusEntry & { offeredForResume: boolean })[];
  /** What `resume` (and CIDX's next sync) would offer to resume, or null. */
  resumable: ResumeInfo | null;
  /** Damaged sync rows among the newest (left out of `syncs`): `doctor --repair` removes them. */
  damaged: RowDamage[];
}

export function registerStatus(program: Command, env: CommandEnv): void {
  const command = program
    .command('status')
    .description('running and incomplete syncs of the project, with liveness and age')
    .option('--watch', 'follow the running sync live until it ends (reads the store read-only)')
    .option('--interval <ms>', 'with --watch: time between two looks', integerIn(100, 60_000), 1000);
  withJsonOption(withStoreOptions(command));
  command.addHelpText('after', WATCH_HELP);
  handle<StatusOptions>(command, env, (options, out) => runStatus(options, out, env));
}

const WATCH_HELP = `
--watch follows the newest sync of the project that is running in another process, about once a
second: phase, percent, files, rate and time left, as a bar on a terminal, a line per change when
piped, one JSON object per line with --json. It ends when the sync ends, exiting 0 completed,
10 failed, 5 cancelled, 6 interrupted (its process ended without finishing it); 3 when no sync is
running; 130 when Ctrl-C stops the watching (the sync goes on).`;

export async function runStatus(options: StatusOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  out.jsonLines = options.watch === true;
  const target = await resolveTarget(options, env.io);
  if (options.watch) {
    requireStoreFile(target);
    return watchSync(target, { intervalMs: options.interval ?? 1000 }, out, env.io);
  }
  const result = await withReadOnlyStore(target, env.io, (store): StatusJson => {
    const resumable = store.resume.checkResumable();
    const syncs = store.status.list().map((s) => ({ ...s, offeredForResume: s.jobId === resumable?.jobId }));
    const damaged = store.status.damaged();
    return { project: target.projectId, store: target.dbPath, now: Date.now(), syncs, resumable, damaged };
  });
  if (out.json) out.printJson(result);
  else renderStatus(result, out);
  return EXIT.OK;
}

/** The text of `status`, for people. */
export function renderStatus(result: StatusJson, out: Output): void {
  out.line(`${out.style('bold', `Project ${result.project}`)}  ${out.style('dim', result.store)}`);
  const running = result.syncs.filter((s) => s.alive);
  const incomplete = result.syncs.filter((s) => !s.alive);
  const { damaged } = result;
  if (running.length === 0 && incomplete.length === 0 && damaged.length === 0) {
    out.line('No running or incomplete syncs.');
    return;
  }
  if (damaged.length > 0) {
    out.line('');
    out.line('Damaged:');
    for (const d of damaged) out.line(`  ${out.style('red', '✗')} ${d.table} ${d.key}: ${d.column} ${d.why}`);
    out.line(
      `  ${out.style('dim', 'left out of the lists below; `cidx-progress doctor --repair` removes them (a sync is archived first)')}`,
    );
  }
  if (running.length > 0) {
    out.line('');
    out.line('Running:');
    for (const s of running) {
      const owner = s.owner ? `, pid ${s.owner.pid} on ${s.owner.host ?? 'unknown host'}` : '';
      out.line(
        `  ${out.style('green', '●')} ${shortId(s.jobId)}  ${s.phase ?? '-'} ${Math.floor(s.progress)}%  ${files(s)}` +
          `  running for ${formatDurationShort(s.ageMs)}, last activity ${formatAgo(s.lastActivityAt, result.now)}${owner}`,
      );
    }
  }
  if (incomplete.length > 0) {
    out.line('');
    out.line('Incomplete:');
    for (const s of incomplete) {
      const offered = s.offeredForResume
        ? `  ${out.style('cyan', '← offered for resume (cidx-progress resume)')}`
        : '';
      out.line(
        `  ${out.style('yellow', '○')} ${shortId(s.jobId)}  ${s.state} at ${Math.floor(s.progress)}% in ${s.phase ?? '-'}  ${files(s)}` +
          `  started ${formatAgo(s.startedAt, result.now)}, last activity ${formatAgo(s.lastActivityAt, result.now)}${offered}`,
      );
    }
  }
}

const shortId = (jobId: string) => jobId.slice(0, 8);
const files = (s: SyncStatusEntry) => `${s.filesProcessed}/${s.totalFiles} files`;
