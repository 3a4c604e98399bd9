import { getTableColumns } from 'drizzle-orm';
import { checkpointRow, progressRow, syncHistoryRow, T0 } from '../support/rows';
import { CHECKED_TABLES, checkRow } from '../../src/validation/rows';
import { checkpointPhaseProblem } from '../../src/validation/row-schemas';

/** A stored sync row with every column present, as drizzle reads it back (JSON still text). */
function storedSync(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const row = {
    ...syncHistoryRow(),
    id: 1,
    status: 'running',
    endTime: null,
    lastActivityMono: null,
    totalDuration: null,
    phaseDurations: null,
    currentPhase: null,
    overallProgress: 0,
    filesProcessed: 0,
    totalFiles: 0,
    filesChanged: null,
    filesIndexed: null,
    bytesProcessed: null,
    errors: null,
    gitCommit: 'a'.repeat(40),
    ownerBootId: null,
    resumedFromJobId: null,
    resumedByJobId: null,
    peakMemoryBytes: null,
    meanCpuPercent: null,
    metadata: null,
  };
  return { ...row, phases: JSON.stringify(row.phases), ...overrides };
}

describe('row schemas', () => {
  it.each(Object.entries(CHECKED_TABLES))('cover every column of %s', (_name, { table, schema }) => {
    // Derived from the drizzle table: a column added to the table is checked too.
    expect(Object.keys(schema.shape).sort()).toEqual(Object.keys(getTableColumns(table)).sort());
  });

  it('accept a good row and give back its JSON parsed', () => {
    const checked = checkRow('sync_history', storedSync());
    expect(checked).toMatchObject({
      ok: true,
      row: {
        phases: [
          { name: 'Git Fetch', weight: 0.3 },
          { name: 'Indexing Files', weight: 0.7 },
        ],
      },
    });
  });

  it.each([
    ['status', { status: 'bogus' }, 'status'],
    ['a text start time', { startTime: 'yesterday' }, 'start_time'],
    ['a fractional time', { endTime: 1.5 }, 'end_time'],
    ['a negative count', { totalFiles: -5 }, 'total_files'],
    ['progress over 100', { overallProgress: 250 }, 'overall_progress'],
    ['HEAD for a commit', { gitCommit: 'HEAD' }, 'git_commit'],
    ['an abbreviated commit', { gitCommit: 'abc1234' }, 'git_commit'],
    ['an uppercase commit', { gitCommit: 'A'.repeat(40) }, 'git_commit'],
    ['a phase it does not have', { currentPhase: 'Elsewhere' }, 'current_phase'],
    ['phases that are not JSON', { phases: '{oops' }, 'phases'],
    ['errors of the wrong shape', { errors: '[{"message":1}]' }, 'errors'],
    ['a bad job id', { jobId: '../x' }, 'job_id'],
    ['a bad project id', { projectId: '../x' }, 'project_id'],
    ['a resumed-from that is not a job id', { resumedFromJobId: 'a b' }, 'resumed_from_job_id'],
  ])('refuse a sync row with %s, naming the column', (_what, overrides, column) => {
    const checked = checkRow('sync_history', storedSync(overrides));
    expect(checked).toMatchObject({ ok: false, damage: { table: 'sync_history', column } });
  });

  it('name every bad column, even past a JSON cell that does not parse, the first as the damage', () => {
    const checked = checkRow(
      'sync_history',
      storedSync({ phases: '{oops', status: 'bogus', filesProcessed: -1 }),
    );
    expect(checked).toMatchObject({ ok: false, damage: { column: 'phases' } });
    expect(checked.ok ? [] : [...checked.badColumns].sort()).toEqual(['filesProcessed', 'phases', 'status']);
  });

  it('accept a store_meta key carrying a lease owner with the longest host name', () => {
    // The lease key holds pid, host, boot id and token: a 253-character host name must
    // not make the lease a damaged row (maintenance removes those, lease and all).
    const owner = { pid: 99999, host: 'h'.repeat(253), boot: 'b'.repeat(36), token: 't'.repeat(16) };
    const key = `maintenance_lease_mono ${JSON.stringify(owner)}`;
    expect(checkRow('store_meta', { key, value: T0 })).toMatchObject({ ok: true });
  });

  it('accept a 64-digit (SHA-256) commit', () => {
    expect(checkRow('sync_history', storedSync({ gitCommit: 'b'.repeat(64) })).ok).toBe(true);
  });

  it('check checkpoints and progress rows', () => {
    const checkpoint = { ...checkpointRow(), metadata: JSON.stringify(checkpointRow().metadata) };
    expect(checkRow('checkpoints', checkpoint).ok).toBe(true);
    expect(checkRow('checkpoints', { ...checkpoint, filesPending: -1 })).toMatchObject({
      ok: false,
      damage: { column: 'files_pending', key: 'job_id=job-1' },
    });
    const progress = { ...progressRow(), id: 7, checkpointData: null };
    expect(checkRow('progress_updates', progress).ok).toBe(true);
    expect(checkRow('progress_updates', { ...progress, phaseProgress: 101 })).toMatchObject({
      ok: false,
      damage: { column: 'phase_progress', key: 'id=7' },
    });
    expect(checkRow('store_meta', { key: 'last_vacuum_at', value: T0 }).ok).toBe(true);
    expect(checkRow('store_meta', { key: 'last_vacuum_at', value: 'soon' }).ok).toBe(false);
  });

  it('tell whether a checkpoint belongs to a sync with these phases', () => {
    expect(checkpointPhaseProblem(checkpointRow(), [{ name: 'Indexing Files' }])).toBeNull();
    expect(checkpointPhaseProblem(checkpointRow(), [{ name: 'Git Fetch' }])).toMatch(
      /not one of the sync's phases/,
    );
  });
});
