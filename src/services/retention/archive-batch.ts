import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensurePrivateDir, lstatIfExists, PRIVATE_FILE_MODE } from '../../db/file-modes';
import type { StoreMetaRepository } from '../../repositories/store-meta.repository';
import type { SyncHistoryRow } from '../../schema';
import { currentBootId, processExists } from '../liveness';

/**
 * Writing one batch of rows to the archive so that no row is lost or archived twice,
 * whatever crashes or runs alongside:
 *
 *   1. the batch is written to a new file under a pending name, in its month folder, and
 *      fsynced (file and folder): nothing else ever writes that file;
 *   2. one transaction deletes the rows (if they are still there, unchanged) and records
 *      the pending file in store_meta (`archive_batch {month}/{pending name}`);
 *   3. the file is renamed to its final name (it is archive from then on) and the
 *      record removed.
 *
 * A crash before 2 leaves the rows in the database and an unrecorded pending file, which
 * the next run deletes once its writer is gone. A crash after 2 leaves a record, and the
 * next run finishes the rename (settleRecordedBatches). Either way each row ends up in
 * exactly one place.
 */

const RECORD = 'archive_batch ';
/** Where batches are written: a month folder, or `damaged/` for rows that failed their checks. */
const BATCH_FOLDER = /^(?:\d{4}-\d{2}|damaged)$/;
const PENDING = /^(.+\.jsonl\.gz)\.pending-(\d+)-([0-9a-z]+)$/;
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

export interface PendingBatch {
  month: string;
  pendingFile: string;
  finalFile: string;
  /** Its store_meta key while it is being settled. */
  record: string;
  rows: number;
  bytes: number;
}

/** This boot, in a file name: a pending file of another boot has no live writer. */
function bootTag(): string {
  return (
    (currentBootId() ?? 'noboot')
      .replace(/[^0-9a-z]/gi, '')
      .slice(0, 12)
      .toLowerCase() || 'noboot'
  );
}

/** Step 1: the rows of one month as a new pending file, durably. */
export function writePendingBatch(archiveDir: string, month: string, rows: SyncHistoryRow[]): PendingBatch {
  ensurePrivateDir(archiveDir);
  const monthDir = path.join(archiveDir, month);
  ensurePrivateDir(monthDir);
  const name = `${String(rows[0]!.id).padStart(10, '0')}-${randomBytes(4).toString('hex')}.jsonl.gz`;
  const pendingName = `${name}.pending-${process.pid}-${bootTag()}`;
  const pendingFile = path.join(monthDir, pendingName);
  const data = gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const fd = fs.openSync(pendingFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    for (let at = 0; at < data.length;) at += fs.writeSync(fd, data, at, data.length - at);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.unlinkSync(pendingFile);
    throw error;
  }
  fs.closeSync(fd);
  syncDir(monthDir);
  syncDir(archiveDir);
  return {
    month,
    pendingFile,
    finalFile: path.join(monthDir, name),
    record: `${RECORD}${month}/${pendingName}`,
    rows: rows.length,
    bytes: data.length,
  };
}

/** Step 2, inside the transaction that deletes the batch's rows. */
export function recordBatch(storeMeta: StoreMetaRepository, batch: PendingBatch): void {
  storeMeta.put(batch.record, batch.rows);
}

export function isRecorded(storeMeta: StoreMetaRepository, batch: PendingBatch): boolean {
  return storeMeta.has(batch.record);
}

/** Step 3: make a recorded pending file archive. Safe to repeat, and from another process. */
export function publishBatch(pendingFile: string): 'published' | 'already' | 'missing' {
  // Stryker disable next-line Regex: without `$` the same text goes (`[^/]*` runs to the end of a file name)
  const finalFile = pendingFile.replace(/\.pending-[^/]*$/, '');
  try {
    fs.renameSync(pendingFile, finalFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return lstatIfExists(finalFile)?.isFile() ? 'already' : 'missing';
  }
  syncDir(path.dirname(finalFile));
  return 'published';
}

/** A batch whose rows stayed in the database (its transaction did not commit): its file goes. */
export function discardBatch(batch: PendingBatch): void {
  fs.rmSync(batch.pendingFile, { force: true });
}

/** Recorded batches (committed, maybe not yet renamed): their pending paths and record keys. */
export function listRecordedBatches(
  storeMeta: StoreMetaRepository,
  archiveDir: string,
): Array<{ record: string; pendingFile: string }> {
  return storeMeta
    .listPrefixed(RECORD)
    .map((row) => ({ record: row.key, relative: row.key.slice(RECORD.length) }))
    .filter(
      ({ relative }) => BATCH_FOLDER.test(path.dirname(relative)) && PENDING.test(path.basename(relative)),
    )
    .map(({ record, relative }) => ({ record, pendingFile: path.join(archiveDir, relative) }));
}

/**
 * Pending files no record names and whose writer is gone (another boot, or no such
 * process): what a writer left when it died before its rows were deleted. Links are
 * skipped (never followed, never deleted through).
 */
export function abandonedPendingFiles(archiveDir: string, recorded: Set<string>): string[] {
  const dir = lstatIfExists(archiveDir);
  if (!dir?.isDirectory()) return [];
  const found: string[] = [];
  for (const month of fs.readdirSync(archiveDir).filter((name) => BATCH_FOLDER.test(name))) {
    const monthDir = path.join(archiveDir, month);
    if (!lstatIfExists(monthDir)?.isDirectory()) continue;
    for (const name of fs.readdirSync(monthDir)) {
      const pending = PENDING.exec(name);
      const file = path.join(monthDir, name);
      if (!pending || recorded.has(file) || !lstatIfExists(file)?.isFile()) continue;
      const writerAlive = pending[3] === bootTag() && processExists(Number(pending[2]));
      if (!writerAlive) found.push(file);
    }
  }
  return found;
}

export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
