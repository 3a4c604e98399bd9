import type { Database } from 'better-sqlite3';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/**
 * The file itself refuses rows that break the schema's rules, whoever writes them
 * (an older or newer version, a hand edit). Each case first inserts a valid row through
 * the same statement, so a failure can only come from the one bad value.
 */
const T = 1_760_000_000_000;

type Row = Record<string, unknown>;

const VALID: Record<string, Row> = {
  sync_history: {
    job_id: 'job',
    project_id: 'proj',
    status: 'running',
    start_time: T,
    last_activity_at: T,
    phases: '[{"name":"Indexing Files","weight":1}]',
    overall_progress: 0,
    files_processed: 0,
    total_files: 0,
  },
  progress_updates: {
    job_id: 'job',
    timestamp: T,
    elapsed_ms: 0,
    phase: 'Indexing Files',
    overall_progress: 50,
    phase_progress: 50,
    files_processed: 1,
    total_files: 2,
    rate: 1,
  },
  checkpoints: {
    job_id: 'job',
    lineage_id: 'job',
    seq: 0,
    created_at: T,
    updated_at: T,
    phase: 'Indexing Files',
    phase_progress: 0,
    overall_progress: 0,
    phase_started_at: T,
    files_completed: 0,
    files_pending: 0,
    files_skipped: 0,
    metadata: '{}',
  },
  checkpoint_files: {
    lineage_id: 'job',
    job_id: 'job',
    checkpoint_seq: 0,
    kind: 'planned',
    first_ordinal: 0,
    item_count: 1,
    data: Buffer.from('a.ts'),
    checksum: 0,
  },
};

function insert(sqlite: Database, table: string, row: Row): void {
  const columns = Object.keys(row);
  sqlite
    .prepare(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    )
    .run(row);
}

describe('CHECK constraints', () => {
  const tmp = useTempDir();

  it.each([
    ['sync_history', 'an unknown status', { status: 'paused' }, 'sync_history_status_check'],
    ['sync_history', 'overall progress over 100', { overall_progress: 100.5 }, 'sync_history_progress_check'],
    ['sync_history', 'negative overall progress', { overall_progress: -1 }, 'sync_history_progress_check'],
    ['sync_history', 'a negative files_processed', { files_processed: -1 }, 'sync_history_counts_check'],
    ['sync_history', 'a negative total_files', { total_files: -5 }, 'sync_history_counts_check'],
    [
      'progress_updates',
      'overall progress over 100',
      { overall_progress: 101 },
      'progress_updates_progress_check',
    ],
    [
      'progress_updates',
      'phase progress over 100',
      { phase_progress: 150 },
      'progress_updates_progress_check',
    ],
    [
      'progress_updates',
      'negative phase progress',
      { phase_progress: -0.1 },
      'progress_updates_progress_check',
    ],
    ['checkpoints', 'a negative files_completed', { files_completed: -1 }, 'checkpoints_counts_check'],
    ['checkpoints', 'a negative files_pending', { files_pending: -1 }, 'checkpoints_counts_check'],
    ['checkpoints', 'a negative files_skipped', { files_skipped: -1 }, 'checkpoints_counts_check'],
    ['checkpoints', 'a negative seq', { seq: -1 }, 'checkpoints_counts_check'],
    ['checkpoint_files', 'an unknown file-event kind', { kind: 'deleted' }, 'checkpoint_files_kind_check'],
    ['checkpoint_files', 'an item_count of 0', { item_count: 0 }, 'checkpoint_files_count_check'],
    ['checkpoint_files', 'a negative first_ordinal', { first_ordinal: -1 }, 'checkpoint_files_count_check'],
  ])('%s rejects %s', (table, _what, bad, constraint) => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const valid = VALID[table]!;
    insert(sqlite, table, valid);

    // Another job id, so the bad row cannot trip a uniqueness rule instead.
    const badRow = { ...valid, job_id: 'other-job', ...bad };
    let thrown: unknown;
    try {
      insert(sqlite, table, badRow);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    expect((thrown as Error).message).toContain(constraint);
  });

  it.each([
    ...['running', 'completed', 'failed', 'cancelled', 'interrupted', 'resumed'].map((status) => [
      'sync_history',
      { status },
    ]),
    ...['planned', 'completed', 'skipped', 'reopened', 'removed'].map((kind) => [
      'checkpoint_files',
      { kind },
    ]),
    ['sync_history', { overall_progress: 100 }],
    ['progress_updates', { overall_progress: 0, phase_progress: 100 }],
  ] as [string, Row][])('%s accepts the allowed value %p', (table, value) => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    expect(() => insert(sqlite, table, { ...VALID[table], ...value })).not.toThrow();
  });
});
