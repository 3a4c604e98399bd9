import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../db/file-modes';
import { pageDamage } from '../../db/integrity';
import { LEGACY_FILE_LOG_TABLE } from '../../db/legacy-file-log';
import type { MigrationRecordsCheck } from '../../db/migration-records';
import { formatAgo } from '../../presentation/durations';
import { formatBytes, formatMode, formatWhen } from '../format';
import type { StoreFacts } from './inspect-store';
import { figuresCheck } from './figures-check';
import { linksAndOwnersCheck } from './path-safety';
import type { DoctorCheck } from './doctor-check';

export type { CheckStatus, DoctorCheck } from './doctor-check';

export interface DiagnoseOptions {
  now: number;
  budgetBytes: number;
}

const DAY = 24 * 3_600_000;
/** Share of the budget from which doctor warns that the store is getting close. */
const NEAR_BUDGET = 0.8;

/** The command that repairs what doctor finds (a damaged file, pending migrations, damaged rows). */
export const REPAIR_COMMAND = 'cidx-progress doctor --repair';

const MIGRATE_HINT = (dbPath: string) =>
  `run \`${REPAIR_COMMAND}\` (the store also applies migrations itself the next time a sync or a writing command opens the file); ` +
  `or run \`CIDX_PROGRESS_DB=${dbPath} npx drizzle-kit migrate --config node_modules/cidx-progress/drizzle.config.ts\``;

/** Turn the facts about a store file into findings, each with advice when something is wrong. */
export function diagnose(facts: StoreFacts, options: DiagnoseOptions): DoctorCheck[] {
  const owners = linksAndOwnersCheck(facts.paths);
  return [
    integrity(facts),
    rows(facts),
    figuresCheck(facts, REPAIR_COMMAND),
    schema(facts),
    size(facts, options),
    owners,
    fileModes(facts, owners.status === 'ok'),
    maintenance(facts, options),
    vacuum(facts, options),
  ];
}

function integrity(facts: StoreFacts): DoctorCheck {
  if (facts.notOpened) {
    return {
      name: 'integrity',
      status: 'warn',
      detail: `not checked: the store refuses the file (${facts.notOpened})`,
      advice: null,
    };
  }
  // Lines about rows that break a CHECK rule are damaged rows (the rows check), not a damaged file.
  const pages = pageDamage(facts.quickCheck);
  const damaged = facts.openError ?? (pages.length === 0 ? null : pages.join('; '));
  if (!damaged) return { name: 'integrity', status: 'ok', detail: 'quick_check: ok', advice: null };
  return {
    name: 'integrity',
    status: 'fail',
    detail: facts.openError
      ? `cannot be read as a database (${facts.openError})`
      : `quick_check found damage: ${damaged}`,
    advice:
      `run \`${REPAIR_COMMAND}\` (or let the next sync open it): the file is moved aside as ${path.basename(facts.path)}.corrupt-<time> ` +
      'and a fresh store takes its place (the progress and history in it are lost from the live store); keep the moved copy if you want to inspect it',
  };
}

function rows(facts: StoreFacts): DoctorCheck {
  const { count, rows: listed } = facts.damagedRows;
  if (facts.openError)
    return { name: 'rows', status: 'warn', detail: 'not checked: the file cannot be read', advice: null };
  if (count === 0)
    return {
      name: 'rows',
      status: 'ok',
      detail: 'every row passes the checks applied on read',
      advice: null,
    };
  const shown = listed.map((d) => `${d.table} ${d.key}: ${d.column} ${d.why}`);
  const more = count > listed.length ? `; and ${count - listed.length} more` : '';
  return {
    name: 'rows',
    status: 'fail',
    detail: `${count} damaged row(s), passed over by every read: ${shown.join('; ')}${more}`,
    advice: `run \`${REPAIR_COMMAND}\`: it deletes them (a damaged sync is written to the archive first, with its checkpoint and trail removed)`,
  };
}

function schema(facts: StoreFacts): DoctorCheck {
  const shipped = facts.shipped.latest;
  const shippedText = shipped ? `migration of ${formatWhen(shipped.createdAt)}` : 'no migrations';
  if (facts.notOpened)
    return {
      name: 'schema',
      status: 'warn',
      detail: 'not checked: the store refuses the file',
      advice: null,
    };
  if (facts.openError)
    return { name: 'schema', status: 'warn', detail: 'not checked: the file cannot be read', advice: null };
  if (facts.migrationRecordsError)
    return {
      name: 'schema',
      status: 'fail',
      detail: `the migrations table cannot be checked: ${facts.migrationRecordsError}`,
      advice:
        'nothing was changed; the store applies migrations from that table when it opens the file, so it may fail as well',
    };
  const applied = facts.applied?.latest ?? null;
  if (!applied) {
    return {
      name: 'schema',
      status: 'fail',
      detail: 'no migrations recorded: not migrated yet, or not a cidx-progress store',
      advice: MIGRATE_HINT(facts.path),
    };
  }
  if (shipped && applied.createdAt > shipped.createdAt) {
    return {
      name: 'schema',
      status: 'fail',
      detail: `written by a newer cidx-progress (migration of ${formatWhen(applied.createdAt)}; this version ships up to the ${shippedText})`,
      advice: 'upgrade cidx-progress; this version refuses to open the file rather than damage it',
    };
  }
  const records = facts.migrationRecords;
  if (records && records.problems.length > 0) {
    return {
      name: 'schema',
      status: 'fail',
      detail: `the migrations table does not match the shipped migrations: ${records.problems.join('; ')}`,
      advice:
        records.matched !== null
          ? `run \`${REPAIR_COMMAND}\`: the tables and indexes are exactly those of ${records.matchedTag ?? 'no migration'}, so it records those migrations again (and applies the rest)`
          : 'repair cannot tell which migrations ran: move the file aside (a fresh store starts) or restore it from a backup',
    };
  }
  const behind = migrationsBehind(facts, applied.createdAt);
  const warnings = records ? schemaWarnings(records) : [];
  if (behind > 0) warnings.unshift(`${behind} migration(s) behind this version`);
  if (warnings.length > 0) {
    return {
      name: 'schema',
      status: 'warn',
      detail: warnings.join('; '),
      advice:
        behind > 0 || records?.legacyFileLog
          ? MIGRATE_HINT(facts.path)
          : 'nothing to repair: the store goes by the migrations table, which is consistent; ' +
            'a later migration that touches what differs may fail when it runs',
    };
  }
  return {
    name: 'schema',
    status: 'ok',
    detail: `up to date (${facts.applied!.count} migration(s), latest ${shippedText})`,
    advice: null,
  };
}

/** How many shipped migrations are newer than the latest recorded one. */
function migrationsBehind(facts: StoreFacts, appliedAt: number): number {
  return Object.keys(facts.shipped.hashes).filter((when) => Number(when) > appliedAt).length;
}

/** What doctor warns about in a consistent migrations table: none of it stops the store. */
function schemaWarnings(records: MigrationRecordsCheck): string[] {
  const warnings: string[] = [];
  if (records.legacyFileLog && records.matched !== null)
    warnings.push(
      `release 0.1's file log (table ${LEGACY_FILE_LOG_TABLE}) is not converted yet: the store converts it the next time it opens the file for writing`,
    );
  if (records.matched === null)
    warnings.push(
      `the tables and indexes are not exactly those of the recorded migrations: ${records.differences.join('; ')}`,
    );
  if (records.extra.length > 0)
    warnings.push(`${records.extra.join(', ')}: not made by any migration (added by hand?), left alone`);
  return warnings;
}

function size(facts: StoreFacts, { budgetBytes }: DiagnoseOptions): DoctorCheck {
  const total = facts.fileBytes + facts.walBytes;
  const freeShare = facts.pages.count > 0 ? facts.pages.free / facts.pages.count : 0;
  const detail =
    `${formatBytes(total)} of a ${formatBytes(budgetBytes)} budget` +
    (facts.walBytes > 0 ? ` (WAL ${formatBytes(facts.walBytes)})` : '') +
    `, ${Math.round(freeShare * 100)}% free pages`;
  if (total > budgetBytes * NEAR_BUDGET) {
    return {
      name: 'size',
      status: 'warn',
      detail: `${total > budgetBytes ? 'over budget' : 'close to the budget'}: ${detail}`,
      advice:
        'run `cidx-progress maintain`: it archives and prunes the oldest data first and reclaims the space',
    };
  }
  return { name: 'size', status: 'ok', detail, advice: null };
}

/** Modes of what is there (links are the other check's). "Owner-only" only when the owner is this user. */
function fileModes(facts: StoreFacts, ownedByThisUser: boolean): DoctorCheck {
  const { modes } = facts;
  const wrong: string[] = [];
  if (modes.dir !== null && modes.dir !== PRIVATE_DIR_MODE)
    wrong.push(`folder is ${formatMode(modes.dir)}, expected ${formatMode(PRIVATE_DIR_MODE)}`);
  for (const [what, mode] of [
    ['file', modes.file],
    ['-wal', modes.wal],
    ['-shm', modes.shm],
  ] as const) {
    if (mode !== null && mode !== PRIVATE_FILE_MODE)
      wrong.push(`${what} is ${formatMode(mode)}, expected ${formatMode(PRIVATE_FILE_MODE)}`);
  }
  if (wrong.length === 0) {
    const detail = ownedByThisUser
      ? 'owner-only (folder 0700, files 0600)'
      : 'folder 0700, files 0600 (but see links and owners)';
    return { name: 'file modes', status: 'ok', detail, advice: null };
  }
  return {
    name: 'file modes',
    status: 'warn',
    detail: wrong.join('; '),
    advice:
      `the files hold repository paths: \`chmod 700 "${path.dirname(facts.path)}" && chmod 600 "${facts.path}"*\` ` +
      '(the store also tightens them the next time it opens the file)',
  };
}

/** A store_meta time that does not read back (doctor --repair deletes the row; the next run records it again). */
const UNKNOWN_TIME = 'not known: its store_meta row is damaged (see rows)';

function maintenance(facts: StoreFacts, { now }: DiagnoseOptions): DoctorCheck {
  const last = facts.lastMaintenanceAt;
  const advice =
    'run `cidx-progress maintain` (the store also runs it by itself when it opens a file whose last maintenance is over a day old)';
  if (facts.damagedTimes.includes('last_maintenance_at'))
    return { name: 'maintenance', status: 'warn', detail: UNKNOWN_TIME, advice };
  if (last === null) return { name: 'maintenance', status: 'warn', detail: 'never ran', advice };
  // The store finds a run recorded in the future due (retention-policy's maintenanceDueIn).
  if (last > now) {
    const detail = `recorded in the future (${formatWhen(last)}): the wall clock went back, or the row was edited; the store runs it again when it next opens the file`;
    return { name: 'maintenance', status: 'warn', detail, advice };
  }
  const when = `last ran ${formatAgo(last, now)} (${formatWhen(last)})`;
  if (now - last > DAY) return { name: 'maintenance', status: 'warn', detail: when, advice };
  return { name: 'maintenance', status: 'ok', detail: when, advice: null };
}

/** Information only: a full VACUUM runs at most monthly, only when free pages make it worth it, and only in maintenance asked for. */
function vacuum(facts: StoreFacts, { now }: DiagnoseOptions): DoctorCheck {
  const last = facts.lastVacuumAt;
  const detail = facts.damagedTimes.includes('last_vacuum_at')
    ? UNKNOWN_TIME
    : last === null
      ? 'no full VACUUM yet (at most monthly, when free pages make it worth it, in `cidx-progress maintain` or runMaintenance(); the store by itself gives free pages back incrementally)'
      : last > now
        ? `last full VACUUM recorded in the future (${formatWhen(last)}); the store does not let it delay the next one`
        : `last full VACUUM ${formatAgo(last, now)} (${formatWhen(last)})`;
  return { name: 'vacuum', status: 'ok', detail, advice: null };
}
