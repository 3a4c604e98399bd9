import {
  openProgressStore,
  type ProgressStore,
  type ProgressStoreOptions,
  type StoreWarning,
  type SyncRecorder,
} from '../../src';
import { HistoryFactory } from './history-factory';
import { ManualClock } from './manual-clock';
import { openTestStore } from './store';

const open = new Set<ProgressStore>();

export interface TestStore {
  store: ProgressStore;
  clock: ManualClock;
  warnings: StoreWarning[];
}

/**
 * A real store (real file, real migrations) on a manual clock, collecting warnings.
 * Closed after each test so no file stays locked.
 */
export function openTestProgressStore(
  dir: string,
  options: Partial<ProgressStoreOptions> & { clock?: ManualClock } = {},
): TestStore {
  const clock = options.clock ?? new ManualClock();
  const warnings: StoreWarning[] = [];
  const store = openProgressStore({
    projectId: 'acme-api',
    dir,
    clock,
    onWarning: (w) => warnings.push(w),
    resourceProbe: () => ({ rssBytes: 100_000_000, cpuMicros: clock.monotonic() * 500 }),
    ...options,
  });
  open.add(store);
  return { store, clock, warnings };
}

export function closeTestProgressStore(store: ProgressStore): void {
  store.close();
  open.delete(store);
}

afterEach(() => {
  for (const store of open) store.close();
  open.clear();
});

/** `count` paths that look like a repository's. */
export function repoPaths(count: number, prefix = 'src'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}/module-${i % 7}/file-${i}.ts`);
}

/**
 * Bring a sync of `repoPaths(10)` to the story's prompt: into Indexing Files at 50%, then
 * `done` files completed and 67% reported (a checkpoint at each 5% boundary crossed).
 */
export function indexToStoryPoint(sync: SyncRecorder, done = 4): void {
  sync.update({
    phase: 'Indexing Files',
    percent: 50,
    phasePercent: 10,
    filesProcessed: 0,
    totalFiles: 10,
    rate: 0,
  });
  sync.completeFiles(repoPaths(10).slice(0, done));
  sync.update({
    phase: 'Indexing Files',
    percent: 67,
    phasePercent: 40,
    filesProcessed: done,
    totalFiles: 10,
    rate: 2,
  });
}

/** Raw rows of a table, for asserting what is on disk. */
export function rows<T = Record<string, unknown>>(
  store: ProgressStore,
  sql: string,
  ...params: unknown[]
): T[] {
  const BetterSqlite3 = require('better-sqlite3');
  const db = new BetterSqlite3(store.path, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * The store's internals, for fault tests that must reach its own connection (to cap its
 * pages with max_page_count, say). Not part of the public API.
 */
export function storeInternals(
  store: ProgressStore,
): import('../../src/services/store-context').StoreContext {
  return (store as unknown as { context: import('../../src/services/store-context').StoreContext }).context;
}

/**
 * A store at `now` (a ManualClock), with a HistoryFactory writing synthetic syncs into the
 * same file over a connection of its own: the setup of the history and estimate tests.
 */
export function openStoreWithHistory(
  dir: string,
  now: number,
): { store: ProgressStore; clock: ManualClock; history: HistoryFactory } {
  const { store, clock } = openTestProgressStore(dir, { clock: new ManualClock(now) });
  return { store, clock, history: new HistoryFactory(openTestStore(store.path)) };
}
