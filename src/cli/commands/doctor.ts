import type { Command } from 'commander';
import type { FiguresRepair } from '../../services/damaged-row';
import type { DamagedRow } from '../../services/damaged-rows';
import { DEFAULT_MAX_DATABASE_BYTES } from '../../services/retention/retention-policy';
import { type CommandEnv, handle, integerIn, withJsonOption, withStoreOptions } from '../command-kit';
import { type DoctorCheck, diagnose } from '../doctor/diagnose';
import { inspectStore, type StoreFacts } from '../doctor/inspect-store';
import { repairMigrationRecords } from '../doctor/repair-migrations';
import { EXIT, type ExitCode } from '../exit-codes';
import type { Output } from '../output';
import {
  NO_AUTO_MAINTENANCE,
  requireStoreFile,
  resolveTarget,
  type StoreOptions,
  withStore,
} from '../store-target';

const MB = 1_000_000;

interface DoctorOptions extends StoreOptions {
  json?: boolean;
  budget?: number;
  repair?: boolean;
}

/** `--json` shape of `doctor` (documented in the README). */
export interface DoctorJson {
  project: string;
  store: string;
  /** False when any check failed (exit 4). Warnings leave it true. */
  ok: boolean;
  checks: DoctorCheck[];
  facts: StoreFacts;
  /**
   * With --repair: what was put right before the checks ran (problems of the migrations
   * table fixed by recording the migrations again, damaged rows removed, sync_figures rows
   * deleted and recorded again); null without it.
   */
  repair: {
    migrationRecords: string[];
    removedRows: DamagedRow[];
    archivedSyncs: number;
    figures: FiguresRepair;
  } | null;
}

export function registerDoctor(program: Command, env: CommandEnv): void {
  const command = program
    .command('doctor')
    .description(
      'check a store: schema version, integrity, size against budget, file modes, maintenance and vacuum',
    )
    .option(
      '--budget <MB>',
      'size budget in MB of 1,000,000 bytes (default: the store default, 50)',
      integerIn(1, 1_000_000),
    )
    .option(
      '--repair',
      'repair first: re-record a hand-edited migrations table, migrate, move a damaged file aside for a fresh one, delete damaged rows (syncs archived first), record damaged or missing sync_figures rows again',
    );
  withJsonOption(withStoreOptions(command));
  command.addHelpText(
    'after',
    '\nWithout --repair it reads the file without changing it (and leaves no file behind). Exit 0 when healthy\n' +
      '(warnings allowed), 4 when a check failed.',
  );
  handle<DoctorOptions>(command, env, (options, out) => doctor(options, out, env));
}

async function doctor(options: DoctorOptions, out: Output, env: CommandEnv): Promise<ExitCode> {
  const target = await resolveTarget(options, env.io);
  requireStoreFile(target);
  // Repairing is opening for writing (which migrates, or moves a damaged file aside) plus removing damaged rows.
  // The migrations table first: a hand-edited one makes the store's own open fail.
  const migrationRecords = options.repair ? repairMigrationRecords(target.dbPath) : [];
  const repaired = options.repair
    ? await withStore(target, env.io, (store) => store.removeDamagedRows(), NO_AUTO_MAINTENANCE)
    : null;
  const repair = repaired && {
    migrationRecords,
    removedRows: repaired.removed,
    archivedSyncs: repaired.archived,
    figures: repaired.figures,
  };
  const facts = inspectStore(target.dbPath);
  const checks = diagnose(facts, {
    now: Date.now(),
    budgetBytes: options.budget ? options.budget * MB : DEFAULT_MAX_DATABASE_BYTES,
  });
  const ok = checks.every((c) => c.status !== 'fail');
  if (out.json) {
    const result: DoctorJson = { project: target.projectId, store: target.dbPath, ok, checks, facts, repair };
    out.printJson(result);
  } else {
    if (repair && repair.migrationRecords.length > 0)
      out.line(`Repaired: recorded the applied migrations again (${repair.migrationRecords.join('; ')}).`);
    if (repair)
      out.line(
        `Repaired: removed ${repair.removedRows.length} damaged row(s)${repair.archivedSyncs ? ` (${repair.archivedSyncs} sync(s) archived first)` : ''}; ` +
          `sync_figures: ${repair.figures.removed} row(s) removed, ${repair.figures.recorded} recorded again.`,
      );
    printChecks(target.projectId, target.dbPath, checks, ok, out);
  }
  return ok ? EXIT.OK : EXIT.UNHEALTHY;
}

const MARK = { ok: ['green', '✓'], warn: ['yellow', '!'], fail: ['red', '✗'] } as const;

function printChecks(project: string, dbPath: string, checks: DoctorCheck[], ok: boolean, out: Output): void {
  out.line(`${out.style('bold', `Doctor: project ${project}`)}  ${out.style('dim', dbPath)}`);
  out.line('');
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const check of checks) {
    const [colour, mark] = MARK[check.status];
    out.line(`  ${out.style(colour, mark)} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.advice) out.line(`    ${' '.repeat(width)}  ${out.style('cyan', '→')} ${check.advice}`);
  }
  out.line('');
  const warnings = checks.filter((c) => c.status === 'warn').length;
  if (!ok) out.line(out.style('red', 'Problems found: see the advice above.'));
  else if (warnings > 0) out.line(`Healthy, with ${warnings} warning(s).`);
  else out.line(out.style('green', 'Healthy.'));
}
