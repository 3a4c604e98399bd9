import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { ManualClock } from '../../support/manual-clock';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { DAY, seed } from './retention-fixtures';

/**
 * The oracle of the archive tests, independent of src/: which job ids the database holds,
 * and how many archive lines name each job (every finished gzip file under the archive
 * folder, old month files and batch files alike; files still being written are not the
 * archive yet). Conservation: every job id ever finished is in exactly one of the two,
 * once.
 */
export function jobIdsInDatabase(dbPath: string): string[] {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT job_id FROM sync_history').all() as Array<{ job_id: string }>).map(
      (r) => r.job_id,
    );
  } finally {
    db.close();
  }
}

/** Archive lines per job id. Throws if a finished archive file does not read back. */
export function archiveLineCounts(archiveDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of archiveFiles(archiveDir)) {
    const text = gunzipSync(fs.readFileSync(file)).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const jobId = (JSON.parse(line) as { jobId: string }).jobId;
      counts.set(jobId, (counts.get(jobId) ?? 0) + 1);
    }
  }
  return counts;
}

function archiveFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return archiveFiles(full);
    return entry.isFile() && entry.name.endsWith('.jsonl.gz') ? [full] : [];
  });
}

export interface Conservation {
  finished: number;
  inDatabase: number;
  inArchive: number;
  lost: string[];
  duplicated: string[];
  /** In the archive or the database but never finished (must be empty). */
  unknown: string[];
}

/** Compare what was finished with what the database and the archive hold. */
export function conservation(finished: Iterable<string>, dbPath: string, archiveDir: string): Conservation {
  const expected = new Set(finished);
  const inDb = jobIdsInDatabase(dbPath);
  const lines = archiveLineCounts(archiveDir);
  const seen = new Map<string, number>();
  for (const id of inDb) seen.set(id, (seen.get(id) ?? 0) + 1);
  for (const [id, n] of lines) seen.set(id, (seen.get(id) ?? 0) + n);
  return {
    finished: expected.size,
    inDatabase: inDb.length,
    inArchive: [...lines.values()].reduce((a, b) => a + b, 0),
    lost: [...expected].filter((id) => !seen.has(id)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    unknown: [...seen.keys()].filter((id) => !expected.has(id)),
  };
}

/** `count` finished syncs, half 40 and half 70 days old by the real clock; returns their job ids. */
export function seedOldSyncs(dir: string, count: number, prefix = 'old'): string[] {
  const clock = new ManualClock(Date.now());
  const { store } = openTestProgressStore(dir, { clock, autoMaintenance: false });
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
  seed(
    store,
    ...ids.map((jobId, i) => ({
      jobId,
      start: clock.now() - (i % 2 === 0 ? 40 : 70) * DAY - i * 1000,
      trailRows: 2,
      outcome: 'completed' as const,
    })),
  );
  closeTestProgressStore(store);
  return ids;
}
