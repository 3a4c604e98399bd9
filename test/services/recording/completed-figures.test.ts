import { openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A sync that completes has its figures recorded for the report (sync_figures) in the
 * transaction that completes it: its resume chain summed, phase by phase. A sync that
 * fails or is cancelled has none.
 */
const tmp = useTempDir();
const indexing = {
  phase: 'Indexing',
  percent: 50,
  phasePercent: 0,
  filesProcessed: 0,
  totalFiles: 2,
  rate: 0,
};
const PHASES = [
  { name: 'Fetch', weight: 0.5 },
  { name: 'Indexing', weight: 0.5 },
];

interface FigureRow {
  sync_id: number;
  duration_ms: number;
  files_indexed: number | null;
  bytes_processed: number | null;
  phase_names: string;
  phase_ms: string;
}

describe('the figures recorded when a sync completes', () => {
  it('are the sync’s own, and none for one that fails or is cancelled', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const failed = store.recording.startSync({ jobId: 'failed', files: ['a.ts'], phases: PHASES });
    clock.advance(1_000);
    failed.fail(new Error('boom'));
    const cancelled = store.recording.startSync({ jobId: 'cancelled', files: ['a.ts'], phases: PHASES });
    cancelled.cancel();
    const done = store.recording.startSync({ jobId: 'done', files: ['a.ts', 'b.ts'], phases: PHASES });
    clock.advance(2_000);
    done.update(indexing);
    clock.advance(3_000);
    done.completeFiles(['a.ts', 'b.ts']);
    done.finish({ bytesProcessed: 4096 });

    const figures = rows<FigureRow>(store, 'SELECT * FROM sync_figures');
    const [id] = rows<{ id: number }>(store, `SELECT id FROM sync_history WHERE job_id = 'done'`);
    expect(figures).toEqual([
      expect.objectContaining({
        sync_id: id!.id,
        duration_ms: 5_000,
        files_indexed: 2,
        bytes_processed: 4096,
        phase_names: '["Fetch","Indexing"]',
        phase_ms: '[2000,3000]',
      }),
    ]);
  });

  it('sum the runs of a resume chain, phase by phase', () => {
    const { store, clock } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const first = store.recording.startSync({ jobId: 'first', files: ['a.ts', 'b.ts'], phases: PHASES });
    clock.advance(1_000);
    first.update(indexing);
    clock.advance(4_000);
    first.completeFiles(['a.ts']);
    first.fail(new Error('network'));
    const { sync: resumed } = store.resume.resume('first');
    clock.advance(2_000);
    resumed.completeFiles(['b.ts']);
    resumed.finish();

    const [figures] = rows<FigureRow>(store, 'SELECT * FROM sync_figures');
    expect(figures).toMatchObject({ duration_ms: 7_000, phase_names: '["Fetch","Indexing"]' });
    expect(JSON.parse(figures!.phase_ms)).toEqual([1_000, 6_000]);
  });
});
