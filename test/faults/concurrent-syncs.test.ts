import { childScript, startChild } from '../support/child-process';
import { openTestProgressStore, rows } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

describe('several processes recording different syncs of one project at once', () => {
  it('track each separately, lose no update and raise no error', async () => {
    const children = ['one', 'two', 'three'].map((jobId) =>
      startChild(childScript('run-sync.js'), [tmp.path, 'acme-api', '300', jobId, '1']),
    );
    const results = await Promise.all(children.map((c) => c.exited));
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('done');
      expect(result.stderr).not.toMatch(/warn/);
    }
    const { store } = openTestProgressStore(tmp.path);
    expect(
      rows(store, 'SELECT job_id, status, files_indexed, total_files FROM sync_history ORDER BY job_id'),
    ).toEqual([
      { job_id: 'one', status: 'completed', files_indexed: 300, total_files: 300 },
      { job_id: 'three', status: 'completed', files_indexed: 300, total_files: 300 },
      { job_id: 'two', status: 'completed', files_indexed: 300, total_files: 300 },
    ]);
    // Every job's trail is its own, and ends at 90% (the end of indexing).
    for (const jobId of ['one', 'two', 'three']) {
      const last = rows<{ overall_progress: number }>(
        store,
        'SELECT overall_progress FROM progress_updates WHERE job_id = ? ORDER BY id DESC LIMIT 1',
        jobId,
      );
      expect(last[0]!.overall_progress).toBe(90);
    }
  });
});
