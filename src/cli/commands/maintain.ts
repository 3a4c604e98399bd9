import type { Command } from 'commander';
import { formatDurationShort } from '../../presentation/durations';
import type { MaintenanceReport, RemovedRows } from '../../services/retention/maintenance-report';
import { type CommandEnv, handle, withJsonOption, withStoreOptions } from '../command-kit';
import { EXIT, type ExitCode } from '../exit-codes';
import { formatBytes } from '../format';
import type { Output } from '../output';
import {
  NO_AUTO_MAINTENANCE,
  requireStoreFile,
  resolveTarget,
  type StoreOptions,
  withStore,
} from '../store-target';

interface MaintainOptions extends StoreOptions {
  json?: boolean;
  dryRun?: boolean;
}

/** `--json` shape of `maintain` (documented in the README): `report` is store.retention.runMaintenance()'s, as is. */
export interface MaintainJson {
  project: string;
  store: string;
  report: MaintenanceReport;
}

export function registerMaintain(program: Command, env: CommandEnv): void {
  const command = program
    .command('maintain')
    .description(
      'run maintenance now (expire checkpoints, archive old history, compact trails, size budget, vacuum) and print its report',
    )
    .option('--dry-run', 'report what would be done and change nothing');
  withJsonOption(withStoreOptions(command));
  handle<MaintainOptions>(command, env, (options, out) => runMaintain(options, out, env));
}

export async function runMaintain(options: MaintainOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const target = await resolveTarget(options, env.io);
  requireStoreFile(target);
  // Not at open as well: a dry run must change nothing, and a real run once is enough.
  const report = await withStore(
    target,
    env.io,
    (store) => store.retention.runMaintenance({ dryRun: options.dryRun === true }),
    NO_AUTO_MAINTENANCE,
  );
  if (out.json) {
    const result: MaintainJson = { project: target.projectId, store: target.dbPath, report };
    out.printJson(result);
  } else {
    renderMaintenanceReport(target.projectId, report, out);
  }
  return EXIT.OK;
}

const rows = (r: RemovedRows) => `${r.rows.toLocaleString('en-US')} rows (${formatBytes(r.bytes)})`;

/** The text of `maintain`, for people: one line per kind of work. */
export function renderMaintenanceReport(project: string, report: MaintenanceReport, out: Output): void {
  const { removed, archive, budget, vacuum, size } = report;
  out.line(
    out.style('bold', `Maintenance of project ${project}`) +
      (report.dryRun ? out.style('yellow', ' (dry run: nothing was changed)') : '') +
      (report.skipped ? out.style('yellow', ` (not run: ${skippedReason(report.skipped)})`) : '') +
      out.style(
        'dim',
        `  ${formatDurationShort(report.durationMs)}, ${report.transactions} transactions, longest ${Math.round(report.longestTransactionMs)} ms`,
      ),
  );
  const verb = report.dryRun ? 'would be ' : '';
  const entries: [string, string][] = [
    [
      'Checkpoints',
      `${rows(removed.checkpoints)} ${verb}removed, with ${rows(removed.checkpointFiles)} of file log; ${report.checkpointsKept} expired kept (running or resumable)`,
    ],
    [
      'Sync history',
      `${rows(removed.syncHistory)} ${verb}archived to ${archive.dir}` +
        (archive.filesWritten.length > 0 ? ` (${formatBytes(archive.bytesWritten)} written)` : ''),
    ],
    [
      'Progress trails',
      `${rows(removed.progressCompacted)} ${verb}compacted, ${rows(removed.progressRemoved)} ${verb}removed`,
    ],
    ['Interrupted', `${report.syncsInterrupted} running sync(s) with a dead owner ${verb}marked interrupted`],
    [
      'Size budget',
      `${formatBytes(budget.maxBytes)}: ${budget.overBefore ? 'over' : 'under'} before, ${budget.overAfter ? 'over' : 'under'} after` +
        (budget.pruned.checkpoints + budget.pruned.trails + budget.pruned.syncs > 0
          ? `; pruned early: ${budget.pruned.checkpoints} checkpoints, ${budget.pruned.trails} trails, ${budget.pruned.syncs} syncs`
          : ''),
    ],
    [
      'Vacuum',
      `${vacuum.kind}${vacuum.bytesReclaimed > 0 ? `, ${formatBytes(vacuum.bytesReclaimed)} reclaimed` : ''}` +
        `${vacuum.kind === 'full' ? `, held the write lock ${Math.round(vacuum.lockMs)} ms` : ''} (${vacuum.reason})`,
    ],
    [
      'Size',
      `${formatBytes(size.before.fileBytes)} → ${formatBytes(size.after.fileBytes)} ` +
        `(free ${formatBytes(size.after.freeBytes)}, WAL ${formatBytes(size.after.walBytes)})`,
    ],
  ];
  if (archive.filesDeleted.length > 0)
    entries.push(['Old archives', `${archive.filesDeleted.length} file(s) ${verb}deleted`]);
  const width = Math.max(...entries.map(([label]) => label.length)) + 1;
  for (const [label, text] of entries) out.line(`  ${`${label}:`.padEnd(width)} ${text}`);
}

/** Why a run did not happen, in words. */
function skippedReason(skipped: NonNullable<MaintenanceReport['skipped']>): string {
  if (skipped.reason === 'not-due') return 'another process finished a maintenance run meanwhile';
  return `maintenance is running in process ${skipped.owner.pid} on ${skipped.owner.host}`;
}
