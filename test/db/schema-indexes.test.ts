import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** The indexes the schema declares, with their columns in order (primary-key autoindexes left out). */
const EXPECTED: Record<string, Record<string, { unique: boolean; columns: string[] }>> = {
  sync_history: {
    sync_history_job_id_unique: { unique: true, columns: ['job_id'] },
    sync_history_project_id_idx: { unique: false, columns: ['project_id'] },
    sync_history_start_time_idx: { unique: false, columns: ['start_time'] },
    sync_history_status_idx: { unique: false, columns: ['status'] },
    // Partial: completed rows only.
    sync_history_completed_activity_idx: { unique: false, columns: ['last_activity_at'] },
    // What the report's window pass reads of each run, so it reads the index alone.
    sync_history_window_idx: {
      unique: false,
      columns: [
        'project_id',
        'start_time',
        'status',
        'resumed_from_job_id',
        'peak_memory_bytes',
        'mean_cpu_percent',
      ],
    },
    // Partial: the runs with errors, and the damaged rows (see src/schema/sync-history-trust.ts).
    sync_history_errors_start_time_idx: { unique: false, columns: ['start_time'] },
    sync_history_damaged_figures_idx: { unique: false, columns: ['project_id'] },
    sync_history_damaged_activity_idx: { unique: false, columns: ['project_id'] },
  },
  sync_figures: {
    sync_figures_start_time_idx: { unique: false, columns: ['project_id', 'start_time'] },
  },
  progress_updates: {
    progress_updates_job_id_idx: { unique: false, columns: ['job_id'] },
  },
  checkpoints: {
    checkpoints_updated_at_idx: { unique: false, columns: ['updated_at'] },
    checkpoints_lineage_id_idx: { unique: false, columns: ['lineage_id'] },
  },
  checkpoint_files: {
    checkpoint_files_lineage_id_idx: { unique: false, columns: ['lineage_id', 'id'] },
  },
  store_meta: {},
};

describe('indexes of a migrated store file', () => {
  const tmp = useTempDir();

  it.each(Object.keys(EXPECTED))('%s has exactly the declared indexes, on the declared columns', (table) => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    const list = sqlite.pragma(`index_list("${table}")`) as {
      name: string;
      unique: number;
      origin: string;
    }[];
    const declared = list.filter((i) => !i.name.startsWith('sqlite_autoindex_'));

    const actual = Object.fromEntries(
      declared.map((index) => [
        index.name,
        {
          unique: index.unique === 1,
          columns: (sqlite.pragma(`index_info("${index.name}")`) as { seqno: number; name: string }[])
            .sort((a, b) => a.seqno - b.seqno)
            .map((c) => c.name),
        },
      ]),
    );
    expect(actual).toEqual(EXPECTED[table]);
  });

  it('declares no foreign key (see src/schema/index.ts for why)', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    for (const table of Object.keys(EXPECTED)) {
      expect(sqlite.pragma(`foreign_key_list("${table}")`)).toEqual([]);
    }
  });

  it('creates each index with its own CREATE INDEX statement in the generated SQL', () => {
    const drizzleDir = path.resolve(__dirname, '..', '..', 'drizzle');
    const sql = fs
      .readdirSync(drizzleDir)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => fs.readFileSync(path.join(drizzleDir, f), 'utf8'))
      .join('\n');
    for (const indexes of Object.values(EXPECTED)) {
      for (const [name, { unique }] of Object.entries(indexes)) {
        expect(sql).toMatch(new RegExp(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX \`${name}\` ON`));
      }
    }
  });
});
