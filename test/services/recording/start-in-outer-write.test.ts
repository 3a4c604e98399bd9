import { ownership } from '../../../src/services/liveness';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import type { SyncRecorder } from '../../../src/services/recording/sync-recorder';
import { handEdit } from '../../support/hand-edit';
import { openTestProgressStore, repoPaths, rows, storeInternals } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A sync started inside another unit of work (the resume service does this) is only
 * started once that unit commits: if it rolls back, the recorder is forgotten and its
 * file log is still unsaved, whatever the inner start did.
 */
describe('a sync started inside an outer write', () => {
  const tmp = useTempDir();

  const spec = (ledger: FileLedger) => ({
    jobId: 'inner-job',
    lineageId: 'inner-job',
    phases: [{ name: 'indexing', weight: 1 }],
    gitCommit: null,
    ledger,
    metadata: undefined,
    startPhase: 'indexing',
  });

  it('is forgotten, its ledger unsaved, when the outer write rolls back', () => {
    const { store } = openTestProgressStore(tmp.path);
    const context = storeInternals(store);
    const ledger = new FileLedger();
    ledger.plan(repoPaths(3), 'files');
    let sync: SyncRecorder | undefined;
    expect(() =>
      context.write('outer', () => {
        sync = store.recording.begin(spec(ledger));
        // Not yet: the outer transaction may still roll back.
        expect(ledger.hasUnsaved()).toBe(true);
        throw new Error('the outer work fails after the start');
      }),
    ).toThrow('the outer work fails after the start');
    expect(sync!.status).toBe('detached');
    expect(context.activeRecorders.has(sync!)).toBe(false);
    expect(ownership.holds('inner-job')).toBe(false);
    expect(ledger.hasUnsaved()).toBe(true);
    expect(rows(store, 'SELECT job_id FROM sync_history')).toEqual([]);
  });

  it('is recording, its ledger saved, once the outer write commits', () => {
    const { store } = openTestProgressStore(tmp.path);
    const context = storeInternals(store);
    const ledger = new FileLedger();
    ledger.plan(repoPaths(3), 'files');
    const sync = context.write('outer', () => store.recording.begin(spec(ledger)));
    expect(ledger.hasUnsaved()).toBe(false);
    expect(sync.status).toBe('recording');
    expect(context.activeRecorders.has(sync)).toBe(true);
    expect(ownership.holds('inner-job')).toBe(true);
    sync.finish();
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'completed' }]);
  });

  it('leaves no recorder behind when a resume fails at its commit (after the new sync was started)', () => {
    const { store, warnings } = openTestProgressStore(tmp.path);
    const context = storeInternals(store);
    store.recording
      .startSync({ jobId: 'old-job', gitCommit: 'a'.repeat(40), files: repoPaths(4) })
      .fail('Network timeout');
    // A deferred foreign key broken by the resume's new sync row: SQLite refuses the
    // COMMIT itself, after every statement of the resume (the new sync's start included) ran.
    handEdit(store.path, 'CREATE TABLE test_parent (id INTEGER PRIMARY KEY)');
    handEdit(
      store.path,
      'CREATE TABLE test_child (parent INTEGER REFERENCES test_parent(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    handEdit(
      store.path,
      'CREATE TRIGGER test_fail_resume AFTER INSERT ON sync_history WHEN NEW.resumed_from_job_id IS NOT NULL BEGIN INSERT INTO test_child VALUES (42); END',
    );
    expect(() => store.resume.resume('old-job', { changes: [] })).toThrow(
      expect.objectContaining({ code: 'STORAGE' }),
    );
    expect(context.activeRecorders.size).toBe(0);
    expect(rows(store, 'SELECT job_id, status FROM sync_history')).toEqual([
      { job_id: 'old-job', status: 'failed' },
    ]);
    // The failed resume leaves the store as startFresh would: the old checkpoint is gone.
    expect(rows(store, 'SELECT job_id FROM checkpoints')).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
