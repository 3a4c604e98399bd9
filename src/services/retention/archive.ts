import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { NotFoundError, StorageError, UnsafePathError } from '../../errors';
import type { SyncHistoryRow } from '../../schema';
import { type DecodedArchive, decodeArchive } from './archive-format';

/**
 * The archive of old syncs, `{dir}/{projectId}.archive/`, and how it is read:
 *
 *   YYYY-MM/{firstId}-{random}.jsonl.gz   one file per archived batch (one gzip member of
 *                                         JSON lines, one `sync_history` row each), in the
 *                                         folder of the UTC month of the syncs' start;
 *                                         written once, never changed (archive-batch.ts)
 *   YYYY-MM/….jsonl.gz.pending-{pid}-{boot}  a batch being written: not archive yet
 *   YYYY-MM.jsonl.gz                      a whole month, as cidx-progress 0.1 wrote it:
 *                                         still read, never written again
 *   ….corrupt-{time}                      a file that did not read back, set aside: read
 *                                         (what can be), never written, never pruned
 *
 * Nothing in the folder is followed through a link: the folder itself, a month folder or
 * an archive file that is a link is refused (UnsafePathError), never read or deleted.
 */

export const MONTH = /^(\d{4})-(\d{2})$/;
/** A month file of cidx-progress 0.1. */
export const LEGACY_MONTH_FILE = /^(\d{4}-\d{2})\.jsonl\.gz$/;
/** A finished batch file inside a month folder. */
export const BATCH_FILE = /^\d+-[0-9a-f]+\.jsonl\.gz$/;
/** A file set aside because it did not read back. */
export const CORRUPT_FILE = /\.corrupt-\d+$/;

// O_NONBLOCK: a FIFO put where a file was expected must not hang the reader.
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;

export function archiveDirFor(dbPath: string, projectId: string): string {
  return path.join(path.dirname(dbPath), `${projectId}.archive`);
}

/** The month (UTC) a sync is archived under: that of its start. */
export function archiveMonthOf(startTime: number): string {
  return DateTime.fromMillis(startTime, { zone: 'utc' }).toFormat('yyyy-MM');
}

/** The oldest month whose files are kept: `months` before the month of `now`. */
export function oldestKeptMonth(now: number, months: number): string {
  return DateTime.fromMillis(now, { zone: 'utc' }).startOf('month').minus({ months }).toFormat('yyyy-MM');
}

/** Rows grouped by the month they go to, in the order given. */
export function groupByMonth(rows: SyncHistoryRow[]): Map<string, SyncHistoryRow[]> {
  const groups = new Map<string, SyncHistoryRow[]>();
  for (const row of rows) {
    const month = archiveMonthOf(row.startTime);
    groups.set(month, [...(groups.get(month) ?? []), row]);
  }
  return groups;
}

/** Read one archive file without following a link: its rows (duplicates included) and its damage. */
export function readArchiveFile(file: string): DecodedArchive {
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`no archive file ${file}`);
    if (code === 'ELOOP')
      throw new UnsafePathError(file, 'is a symbolic link; the archive is never read through links');
    throw new StorageError(`read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new StorageError(`read ${file}: not a regular file`);
    return decodeArchive(file, fs.readFileSync(fd));
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(`read ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    fs.closeSync(fd);
  }
}

/** Every archive file under the archive folder (or month folder) `dir`, in name order; pending batches are not archive yet. */
export function listArchiveFiles(dir: string): string[] {
  const files: string[] = [];
  // Stryker disable next-line MethodExpression: sorted so rows come in the same order on every file system (the test machine's lists these already sorted)
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const stat = fs.lstatSync(full);
    if (stat.isSymbolicLink())
      throw new UnsafePathError(full, 'is a symbolic link; the archive is never read through links');
    if (stat.isDirectory() && MONTH.test(name)) files.push(...listArchiveFiles(full));
    else if (
      stat.isFile() &&
      (LEGACY_MONTH_FILE.test(name) || BATCH_FILE.test(name) || CORRUPT_FILE.test(name))
    )
      files.push(full);
  }
  return files;
}
