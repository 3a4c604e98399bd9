import fs from 'node:fs';
import path from 'node:path';
import { checkedFile, lstatIfExists, ownedByThisUser } from './file-modes';

/** How many quarantined copies of one project file are kept; older ones are removed. */
export const QUARANTINE_KEEP = 3;

const COMPANIONS = ['', '-wal', '-shm'];

/**
 * Move a damaged database (with its -wal and -shm, which belong to it) aside as
 * `{file}.corrupt-{timestamp}` so a fresh file can take its place. The damaged copy is
 * kept for a person to inspect; only copies beyond the newest few are removed.
 *
 * Only regular files of this user are moved (checked with lstat, before anything moves),
 * and never onto a name that is taken: rename would replace it silently, so a taken
 * stamp is passed over for the next free one.
 */
export function quarantineDatabase(dbPath: string, timestamp: number): string {
  const present = COMPANIONS.filter((suffix) => checkedFile(dbPath + suffix) !== undefined);
  let stamp = timestamp;
  while (COMPANIONS.some((suffix) => lstatIfExists(`${dbPath}.corrupt-${stamp}${suffix}`))) stamp++;
  const target = `${dbPath}.corrupt-${stamp}`;
  for (const suffix of present) fs.renameSync(dbPath + suffix, target + suffix);
  pruneQuarantined(dbPath);
  return target;
}

/** Remove copies beyond the newest few; only regular files of ours, never through a link. */
function pruneQuarantined(dbPath: string): void {
  const dir = path.dirname(dbPath);
  const prefix = `${path.basename(dbPath)}.corrupt-`;
  const stamps = fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a);
  for (const stamp of stamps.slice(QUARANTINE_KEEP)) {
    for (const suffix of COMPANIONS) {
      const file = path.join(dir, `${prefix}${stamp}${suffix}`);
      const stat = lstatIfExists(file);
      if (stat?.isFile() && ownedByThisUser(stat)) fs.unlinkSync(file);
    }
  }
}
