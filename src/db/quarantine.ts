import fs from 'node:fs';
import path from 'node:path';

/** How many quarantined copies of one project file are kept; older ones are removed. */
export const QUARANTINE_KEEP = 3;

/**
 * Move a damaged database (with its -wal and -shm, which belong to it) aside as
 * `{file}.corrupt-{timestamp}` so a fresh file can take its place. The damaged copy is
 * kept for a person to inspect; only copies beyond the newest few are removed.
 */
export function quarantineDatabase(dbPath: string, timestamp: number): string {
  const target = `${dbPath}.corrupt-${timestamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      fs.renameSync(dbPath + suffix, target + suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  pruneQuarantined(dbPath);
  return target;
}

function pruneQuarantined(dbPath: string): void {
  const dir = path.dirname(dbPath);
  const prefix = `${path.basename(dbPath)}.corrupt-`;
  const stamps = fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a);
  for (const stamp of stamps.slice(QUARANTINE_KEEP)) {
    for (const suffix of ['', '-wal', '-shm']) {
      fs.rmSync(path.join(dir, `${prefix}${stamp}${suffix}`), { force: true });
    }
  }
}
