import type { Command } from 'commander';
import { formatAgo, formatDurationShort } from '../../presentation/durations';
import type { ResumeInfo } from '../../services/resume/resume-info';
import type { SyncStatusEntry } from '../../services/status-service';
import { type CommandEnv, handle, withJsonOption, withStoreOptions } from '../command-kit';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import { resolveTarget, type StoreOptions, withReadOnlyStore } from '../store-target';

interface StatusOptions extends StoreOptions {
  json?: boolean;
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
}

export function registerStatus(program: Command, env: CommandEnv): void {
  const command = program
    .command('status')
    .description('running and incomplete syncs of the project, with liveness and age');
  withJsonOption(withStoreOptions(command));
  handle<StatusOptions>(command, env, (options, out) => runStatus(options, out, env));
}

export async function runStatus(options: StatusOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const target = await resolveTarget(options, env.io);
  const result = await withReadOnlyStore(target, env.io, (store): StatusJson => {
    const resumable = store.resume.checkResumable();
    const syncs = store.status.list().map((s) => ({ ...s, offeredForResume: s.jobId === resumable?.jobId }));
    return { project: target.projectId, store: target.dbPath, now: Date.now(), syncs, resumable };
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
  if (running.length === 0 && incomplete.length === 0) {
    out.line('No running or incomplete syncs.');
    return;
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
      const offered = s.offeredForResume ? `  ${out.style('cyan', '← offered for resume (cidx-progress resume)')}` : '';
      out.line(
        `  ${out.style('yellow', '○')} ${shortId(s.jobId)}  ${s.state} at ${Math.floor(s.progress)}% in ${s.phase ?? '-'}  ${files(s)}` +
          `  started ${formatAgo(s.startedAt, result.now)}, last activity ${formatAgo(s.lastActivityAt, result.now)}${offered}`,
      );
    }
  }
}

const shortId = (jobId: string) => jobId.slice(0, 8);
const files = (s: SyncStatusEntry) => `${s.filesProcessed}/${s.totalFiles} files`;
