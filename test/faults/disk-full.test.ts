import { openTestProgressStore, repoPaths, rows, storeInternals } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

/** Cap the store's own connection at its current size, as a full disk would. */
function fillDisk(store: Parameters<typeof storeInternals>[0]): () => void {
  const { sqlite } = storeInternals(store).connection;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  sqlite.pragma(`max_page_count = ${pages}`);
  return () => sqlite.pragma('max_page_count = 1073741823');
}

// Completed files are stored as ordinals into the planned list: a few bytes, which fit in
// the pages the file already has. The checkpoints here also plan new files with long
// names (files completed without being planned first), so they need pages the disk lacks.
const update = (percent: number, filesProcessed = 0) => ({
  phase: 'Indexing Files',
  percent,
  phasePercent: 0,
  filesProcessed,
  totalFiles: 400,
  rate: 5,
});

describe('a full disk', () => {
  it('does not throw into the sync loop; the latest state is written once there is space', () => {
    const { store, clock, warnings } = openTestProgressStore(tmp.path, { throttleMs: 1000 });
    const files = repoPaths(400).map((p) => `${p}/${'deep/'.repeat(20)}x.ts`);
    const sync = store.recording.startSync({ jobId: 'full', files: files.slice(0, 100) });
    sync.update(update(46));
    const checkpointBefore = rows(store, 'SELECT seq, files_completed FROM checkpoints')[0];
    const freeSpace = fillDisk(store);

    sync.completeFiles(files.slice(100, 400));
    expect(() => sync.update(update(60, 300))).not.toThrow(); // a checkpoint that cannot be written
    expect(warnings.some((w) => w.code === 'STORAGE_FULL')).toBe(true);
    // The previous checkpoint is intact.
    expect(rows(store, 'SELECT seq, files_completed FROM checkpoints')[0]).toEqual(checkpointBefore);

    freeSpace();
    clock.advance(1000);
    sync.update(update(61, 301));
    expect(rows(store, 'SELECT files_completed FROM checkpoints')[0]).toEqual({ files_completed: 300 });
    const last = rows<{ overall_progress: number }>(
      store,
      'SELECT overall_progress FROM progress_updates ORDER BY id DESC LIMIT 1',
    )[0];
    expect(last!.overall_progress).toBe(61);
  });

  it('reports a checkpoint that cannot be written through flush() returning false', () => {
    const { store } = openTestProgressStore(tmp.path);
    const files = repoPaths(2000).map((p) => `${p}/${'deep/'.repeat(30)}x.ts`);
    const sync = store.recording.startSync({ jobId: 'flush', files: files.slice(0, 500) });
    fillDisk(store);
    sync.completeFiles(files.slice(500, 2000));
    expect(sync.flush()).toBe(false);
    expect(rows(store, 'SELECT files_completed FROM checkpoints')[0]).toEqual({ files_completed: 0 });
  });
});
