import type fs from 'node:fs';
import { z } from 'zod';
import { lstatIfExists } from '../../db/file-modes';
import { ArchiveDamagedError, NotFoundError, StorageError, UnsafePathError } from '../../errors';
import { parseInput } from '../../validation/parse';
import { listArchiveFiles, readArchiveFile } from './archive';
import type { ArchiveDamage, ArchivedSync } from './archived-sync';

/**
 * The public reader of the archive (its format is in archive.ts and archive-format.ts),
 * in a file of its own so its declaration names only the package's own types.
 *
 * Read an archive file, a month folder or the whole archive folder back: the
 * `sync_history` rows it holds, one per job (a row v0.1 archived twice after a crash
 * counts once), in insertion order. When something does not read back, throws
 * ArchiveDamagedError carrying every row that could be read (`rows`) and what could not
 * (`damaged`).
 */
export function readArchive(target: string): ArchivedSync[] {
  const where = parseInput(z.string().min(1), target, 'readArchive');
  let stat: fs.Stats | undefined;
  try {
    stat = lstatIfExists(where);
  } catch (error) {
    throw new StorageError(`read ${where}: ${(error as Error).message}`, { cause: error });
  }
  if (!stat) throw new NotFoundError(`no archive file ${where}`);
  if (stat.isSymbolicLink())
    throw new UnsafePathError(where, 'is a symbolic link; the archive is never read through links');
  const files = stat.isDirectory() ? listArchiveFiles(where) : [where];
  const rows = new Map<string, ArchivedSync>();
  const damaged: ArchiveDamage[] = [];
  for (const file of files) {
    const decoded = readArchiveFile(file);
    for (const row of decoded.rows) rows.set(row.jobId, row);
    damaged.push(...decoded.damaged);
  }
  const sorted = [...rows.values()].sort((a, b) => a.id - b.id);
  if (damaged.length > 0) throw new ArchiveDamagedError(where, sorted, damaged);
  return sorted;
}
