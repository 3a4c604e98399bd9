import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../db/file-modes';
import { CorruptDatabaseError, NotFoundError, StorageError } from '../../errors';
import type { SyncHistoryRow } from '../../schema';
import { SYNC_STATUSES } from '../../schema/sync-status';
import { parseInput } from '../../validation/parse';
import { processExists } from '../liveness';
import type { ArchivedSync } from './archived-sync';

/**
 * The archive of old syncs: `{dir}/{projectId}.archive/YYYY-MM.jsonl.gz`, one file per
 * month (UTC) of the syncs' start, each line one `sync_history` row as the store read it.
 * A batch is added as its own gzip member, so `zcat 2026-10.jsonl.gz` reads the whole
 * file. The file is replaced atomically (written beside it, then renamed): a crash leaves
 * the old file or the new one, never half a member. Rows are deleted from the database
 * only after their member is on disk, so a crash in between archives a row twice, never
 * zero times; readArchive keeps one row per job.
 */

const MONTH_FILE = /^(\d{4})-(\d{2})\.jsonl\.gz$/;

export function archiveDirFor(dbPath: string, projectId: string): string {
  return path.join(path.dirname(dbPath), `${projectId}.archive`);
}

/** The month (UTC) a sync is archived under: that of its start. */
export function archiveMonthOf(startTime: number): string {
  return DateTime.fromMillis(startTime, { zone: 'utc' }).toFormat('yyyy-MM');
}

export function archiveFileFor(dir: string, month: string): string {
  return path.join(dir, `${month}.jsonl.gz`);
}

/** The oldest month whose file is kept: `months` before the month of `now`. */
export function oldestKeptMonth(now: number, months: number): string {
  return DateTime.fromMillis(now, { zone: 'utc' }).startOf('month').minus({ months }).toFormat('yyyy-MM');
}

/**
 * @internal Rows grouped by the file they go to, in the order given. */
export function groupByMonth(rows: SyncHistoryRow[]): Map<string, SyncHistoryRow[]> {
  const groups = new Map<string, SyncHistoryRow[]>();
  for (const row of rows) {
    const month = archiveMonthOf(row.startTime);
    groups.set(month, [...(groups.get(month) ?? []), row]);
  }
  return groups;
}

/**
 * @internal Add rows to a month file as one gzip member, durably. Returns the compressed bytes added. */
export function appendToArchive(dir: string, month: string, rows: SyncHistoryRow[]): number {
  ensurePrivateDir(dir);
  const file = archiveFileFor(dir, month);
  const member = gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const existing = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  const temp = `${file}.tmp-${process.pid}`;
  fs.rmSync(temp, { force: true });
  const fd = fs.openSync(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    fs.writeSync(fd, existing);
    fs.writeSync(fd, member);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  syncDir(dir);
  return member.length;
}

/**
 * Delete month files older than the archive window, and leftovers of writers that died
 * between writing and renaming. Returns the files deleted (with `dryRun`, that would be).
 */
export function pruneArchive(dir: string, now: number, months: number, dryRun = false): string[] {
  if (!fs.existsSync(dir)) return [];
  const oldest = oldestKeptMonth(now, months);
  const deleted: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const month = MONTH_FILE.exec(name);
    const writer = /\.tmp-(\d+)$/.exec(name);
    const stale = month ? `${month[1]}-${month[2]}` < oldest : writer ? !processExists(Number(writer[1])) : false;
    if (!stale) continue;
    if (!dryRun) fs.rmSync(path.join(dir, name), { force: true });
    deleted.push(path.join(dir, name));
  }
  return deleted;
}

/** What every archived line must hold; other columns pass through as they were. */
const archivedRowSchema = z.looseObject({
  id: z.number().int(),
  jobId: z.string().min(1),
  projectId: z.string(),
  status: z.enum(SYNC_STATUSES),
  startTime: z.number().int(),
  lastActivityAt: z.number().int(),
  phases: z.array(z.unknown()),
});

/**
 * Read an archive file back: the `sync_history` rows it holds, one per job (a row
 * archived twice, after a crash, counts once), in insertion order.
 */
export function readArchive(file: string): ArchivedSync[] {
  const target = parseInput(z.string().min(1), file, 'readArchive');
  let compressed: Buffer;
  try {
    compressed = fs.readFileSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no archive file ${target}`);
    throw new StorageError(`read ${target}: ${(error as Error).message}`, { cause: error });
  }
  const rows = new Map<string, ArchivedSync>();
  try {
    const text = compressed.length === 0 ? '' : gunzipSync(compressed).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const row = archivedRowSchema.parse(JSON.parse(line)) as unknown as ArchivedSync;
      rows.set(row.jobId, row);
    }
  } catch (error) {
    throw new CorruptDatabaseError(`archive file ${target} is damaged: ${(error as Error).message}`, { cause: error });
  }
  return [...rows.values()].sort((a, b) => a.id - b.id);
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
