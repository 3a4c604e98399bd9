import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ProgressStore } from '../../../src';
import type { SyncHistoryRow } from '../../../src/schema';
import { runInTransaction } from '../../../src/db/transaction';
import { addSync, type SyncSpec } from '../../support/heavy-month';
import { rows, storeInternals } from '../../support/progress-store';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Write syncs straight into the store's file, as the recorder would have left them. */
export function seed(store: ProgressStore, ...specs: SyncSpec[]): void {
  const { connection } = storeInternals(store);
  runInTransaction(connection.sqlite, () => {
    for (const spec of specs) addSync(connection, spec);
  });
}

export interface TableCounts {
  syncs: number;
  trail: number;
  checkpoints: number;
  fileLog: number;
  /** Completed syncs' figures (sync_figures): they go with their sync. */
  figures: number;
}

export function tableCounts(store: ProgressStore): TableCounts {
  const n = (table: string) => rows<{ n: number }>(store, `SELECT count(*) AS n FROM ${table}`)[0]!.n;
  return {
    syncs: n('sync_history'),
    trail: n('progress_updates'),
    checkpoints: n('checkpoints'),
    fileLog: n('checkpoint_files'),
    figures: n('sync_figures'),
  };
}

export function jobIds(store: ProgressStore): string[] {
  return rows<{ job_id: string }>(store, 'SELECT job_id FROM sync_history ORDER BY id').map((r) => r.job_id);
}

export function statusOf(store: ProgressStore, jobId: string): string | undefined {
  return rows<{ status: string }>(store, 'SELECT status FROM sync_history WHERE job_id = ?', jobId)[0]
    ?.status;
}

export function hasCheckpoint(store: ProgressStore, jobId: string): boolean {
  return rows(store, 'SELECT 1 FROM checkpoints WHERE job_id = ?', jobId).length === 1;
}

/** A month file as cidx-progress 0.1 wrote it (`{archiveDir}/YYYY-MM.jsonl.gz`, one gzip member per batch). */
export function writeV01MonthFile(archiveDir: string, month: string, ...batches: SyncHistoryRow[][]): string {
  fs.mkdirSync(archiveDir, { recursive: true, mode: 0o700 });
  const file = path.join(archiveDir, `${month}.jsonl.gz`);
  const members = batches.map((rows) => gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join('')));
  fs.writeFileSync(file, Buffer.concat(members), { mode: 0o600 });
  return file;
}

/** A `store_meta` value (a time, a cursor), or undefined when the key is not there. */
export function storeMeta(store: ProgressStore, key: string): number | undefined {
  return rows<{ value: number }>(store, 'SELECT value FROM store_meta WHERE key = ?', key)[0]?.value;
}

/** When maintenance last finished, as the store recorded it. */
export const lastMaintenanceAt = (store: ProgressStore) => storeMeta(store, 'last_maintenance_at');

/**
 * Let the store's background upkeep run to idle: its slices run on timers, jest's fake ones
 * here (the test file calls jest.useFakeTimers). Returns how many 10 ms steps it took.
 */
export function runSlices(store: ProgressStore, limit = 20_000): number {
  let steps = 0;
  while (store.retention.upkeep.state !== 'idle') {
    if (++steps > limit)
      throw new Error(`maintenance still ${store.retention.upkeep.state} after ${limit} steps`);
    jest.advanceTimersByTime(10);
  }
  return steps;
}
