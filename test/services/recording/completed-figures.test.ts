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
  phase_names: string;
  figures: Buffer;
}

/** The packed figures (8-byte big-endian integers: duration, files, bytes, then each phase's). */
function unpacked(figures: Buffer): number[] {
  return Array.from({ length: figures.length / 8 }, (_, i) => Number(figures.readBigInt64BE(8 * i)));
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
      expect.objectContaining({ sync_id: id!.id, phase_names: '["Fetch","Indexing"]' }),
    ]);
    expect(unpacked(figures[0]!.figures)).toEqual([5_000, 2, 4096, 2_000, 3_000]);
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
    expect(figures).toMatchObject({ phase_names: '["Fetch","Indexing"]' });
    // Not reported: bytes (-1). Files: the chain's ledger counts both.
    expect(unpacked(figures!.figures)).toEqual([7_000, 2, -1, 1_000, 6_000]);
  });
});
