import fs from 'node:fs';
import path from 'node:path';
import { lstatIfExists } from '../../db/file-modes';
import { UnsafePathError } from '../../errors';
import { processExists } from '../liveness';
import type { StoreWarning } from '../store-context';
import {
  BATCH_FILE,
  CORRUPT_FILE,
  LEGACY_MONTH_FILE,
  MONTH,
  oldestKeptMonth,
  readArchiveFile,
} from './archive';
import { abandonedPendingFiles, listRecordedBatches, publishBatch } from './archive-batch';
import type { MaintenanceRun } from './maintenance-run';

/**
 * Looking after the archive folder: finishing what a crashed run left (recorded batches
 * not yet renamed, pending files of dead writers), setting damaged files aside, and
 * deleting months past the archive window. Damaged files are renamed
 * `{file}.corrupt-{time}`, reported through onWarning, and never written or deleted;
 * links are reported and left alone.
 */

type Warn = (warning: StoreWarning) => void;

/** Finish or discard what earlier runs left half-done. Run under the maintenance lease. */
export function settleArchive(run: MaintenanceRun): void {
  const { repos } = run;
  const recorded = run.read('list archive batches', () =>
    listRecordedBatches(repos.storeMeta, run.archiveDir),
  );
  for (const { record, pendingFile } of recorded) {
    const folder = lstatIfExists(path.dirname(pendingFile));
    if (folder && !folder.isDirectory()) {
      const error = new UnsafePathError(
        path.dirname(pendingFile),
        'is not a folder of the archive (a link?); its recorded batch is left as it is',
      );
      run.context.warn({ code: error.code, message: error.message, error });
      continue;
    }
    if (publishBatch(pendingFile) === 'missing') {
      run.context.warn({
        code: 'CORRUPT',
        message: `archive batch ${pendingFile} was recorded as archived but its file is gone`,
      });
    }
    run.write('settle archive batch', () => repos.storeMeta.remove(record));
  }
  const stillRecorded = run.read('list archive batches', () =>
    listRecordedBatches(repos.storeMeta, run.archiveDir),
  );
  for (const file of abandonedPendingFiles(run.archiveDir, new Set(stillRecorded.map((b) => b.pendingFile))))
    fs.rmSync(file, { force: true });
}

/** True when the file reads back whole; otherwise it is set aside and reported. */
export function checkArchiveFile(file: string, now: number, warn: Warn, dryRun: boolean): boolean {
  const stat = lstatIfExists(file);
  if (!stat) return true;
  if (stat.isSymbolicLink()) {
    const error = new UnsafePathError(
      file,
      'is a symbolic link; the archive never reads, writes or deletes through links',
    );
    warn({ code: error.code, message: error.message, error });
    return false;
  }
  if (!stat.isFile()) return false;
  const { damaged } = readArchiveFile(file);
  if (damaged.length === 0) return true;
  const aside = `${file}.corrupt-${now}`;
  if (!dryRun) fs.renameSync(file, aside);
  warn({
    code: 'CORRUPT',
    message: `archive file ${file} does not read back (${damaged[0]!.reason}); ${dryRun ? 'it would be' : 'it was'} set aside as ${aside}, never to be written or pruned`,
  });
  return false;
}

/** Before the first write into a month: check what the month already holds. */
export function checkMonth(run: MaintenanceRun, month: string): void {
  // Stryker disable next-line ConditionalExpression: checking a month again finds what the first check left; it only costs a folder listing
  if (run.archive.checkedMonths.has(month)) return;
  run.archive.checkedMonths.add(month);
  const warn = (w: StoreWarning) => run.context.warn(w);
  // Only a real run writes into a month (a dry run never gets here).
  checkArchiveFile(path.join(run.archiveDir, `${month}.jsonl.gz`), run.now, warn, false);
  const monthDir = path.join(run.archiveDir, month);
  const stat = lstatIfExists(monthDir);
  if (!stat?.isDirectory()) return; // a link is refused when the batch is written
  for (const name of fs.readdirSync(monthDir)) {
    if (BATCH_FILE.test(name)) checkArchiveFile(path.join(monthDir, name), run.now, warn, false);
  }
}

/**
 * Delete archive files of months older than the archive window (after checking each reads
 * back: a damaged one is set aside instead), empty month folders, and leftovers of 0.1
 * writers that died between writing and renaming. Returns the files deleted (with
 * `dryRun`, that would be).
 */
export function pruneArchive(
  dir: string,
  now: number,
  months: number,
  warn: Warn,
  dryRun: boolean,
): string[] {
  const stat = lstatIfExists(dir);
  if (!stat) return [];
  if (stat.isSymbolicLink())
    throw new UnsafePathError(dir, 'is a symbolic link; the store never follows links inside its folder');
  const oldest = oldestKeptMonth(now, months);
  const deleted: string[] = [];
  const remove = (file: string) => {
    if (!dryRun) fs.unlinkSync(file);
    deleted.push(file);
  };
  // Stryker disable next-line MethodExpression: sorted so the report lists files in the same order on every file system (the test machine's lists these already sorted)
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const entry = fs.lstatSync(full);
    if (entry.isSymbolicLink()) {
      warn({
        code: 'UNSAFE_PATH',
        message: `${full} is a symbolic link inside the archive folder; left alone`,
      });
      continue;
    }
    const legacy = LEGACY_MONTH_FILE.exec(name);
    const writer = /\.tmp-(\d+)$/.exec(name);
    if (entry.isFile() && legacy && legacy[1]! < oldest) {
      if (checkArchiveFile(full, now, warn, dryRun)) remove(full);
    } else if (entry.isFile() && writer && !CORRUPT_FILE.test(name) && !processExists(Number(writer[1]))) {
      remove(full);
    } else if (entry.isDirectory() && MONTH.test(name) && name < oldest) {
      pruneMonthFolder(full, now, warn, dryRun, remove);
    }
  }
  return deleted;
}

function pruneMonthFolder(
  monthDir: string,
  now: number,
  warn: Warn,
  dryRun: boolean,
  remove: (file: string) => void,
): void {
  // Stryker disable next-line MethodExpression: as in pruneArchive
  for (const name of fs.readdirSync(monthDir).sort()) {
    const full = path.join(monthDir, name);
    if (!BATCH_FILE.test(name)) continue;
    if (checkArchiveFile(full, now, warn, dryRun)) remove(full);
  }
  if (dryRun) return;
  try {
    fs.rmdirSync(monthDir);
  } catch (error) {
    // Something is kept there (a damaged file set aside, a batch being written): so is the folder.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw error;
  }
}
