import { CorruptDatabaseError } from '../../../src';
import { handEdit } from '../../support/hand-edit';
import {
  closeTestProgressStore,
  indexToStoryPoint,
  openTestProgressStore,
  repoPaths,
  storeInternals,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';
import type { ManualClock } from '../../support/manual-clock';

/**
 * One hand-edited cell must not block every later sync: a damaged row is described and
 * passed over, never thrown past the service (finding 1 of the trust issue).
 */
const tmp = useTempDir();
const COMMIT = 'c0ffee'.padEnd(40, '0');

/** An interrupted sync (10 files, 4 done, checkpoint at 67%) in a closed store. */
function interrupt(jobId = 'job-1', clock?: ManualClock): { dbPath: string; clock: ManualClock } {
  const opened = openTestProgressStore(tmp.path, clock ? { clock } : {});
  const sync = opened.store.recording.startSync({ jobId, gitCommit: COMMIT, files: repoPaths(10) });
  indexToStoryPoint(sync);
  const dbPath = opened.store.path;
  closeTestProgressStore(opened.store);
  return { dbPath, clock: opened.clock };
}

const SYNC_DAMAGE: [string, string, { ignoreChecks?: boolean }][] = [
  ['phases that are not JSON', `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`, {}],
  [
    'a start time that is text',
    `UPDATE sync_history SET start_time = 'yesterday' WHERE job_id = 'job-1'`,
    {},
  ],
  [
    'a status outside the closed set',
    `UPDATE sync_history SET status = 'bogus' WHERE job_id = 'job-1'`,
    { ignoreChecks: true },
  ],
  [
    'a negative count',
    `UPDATE sync_history SET files_processed = -5 WHERE job_id = 'job-1'`,
    { ignoreChecks: true },
  ],
  [
    'a progress of 250',
    `UPDATE sync_history SET overall_progress = 250 WHERE job_id = 'job-1'`,
    { ignoreChecks: true },
  ],
  ['a ref for a commit', `UPDATE sync_history SET git_commit = 'HEAD' WHERE job_id = 'job-1'`, {}],
  [
    'a bad status and phases that are not JSON',
    `UPDATE sync_history SET status = 'bogus', phases = '{oops' WHERE job_id = 'job-1'`,
    { ignoreChecks: true },
  ],
  [
    'a current phase it does not have',
    `UPDATE sync_history SET current_phase = 'Nonsense' WHERE job_id = 'job-1'`,
    {},
  ],
];

describe('a damaged sync_history row', () => {
  it.each(SYNC_DAMAGE)(
    'with %s: checkResumable offers it as not resumable, with the reason, and warns once',
    (_name, edit, options) => {
      const { dbPath, clock } = interrupt();
      expect(handEdit(dbPath, edit, options)).toBe(1);
      const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
      const info = store.resume.checkResumable();
      expect(info).toMatchObject({
        jobId: 'job-1',
        canResume: false,
        reason: expect.stringMatching(/^sync_history row job_id=job-1 is damaged: /),
      });
      store.resume.checkResumable();
      expect(warnings.filter((w) => w.code === 'CORRUPT')).toHaveLength(1);
      expect(warnings[0]!.message).toContain('job_id=job-1');
    },
  );

  it.each(SYNC_DAMAGE)(
    'with %s: status.list() leaves it out, and startFresh() settles it',
    (_name, edit, options) => {
      const { dbPath, clock } = interrupt();
      handEdit(dbPath, edit, options);
      const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
      const listed = store.status.list().map((s) => s.jobId);
      expect(listed).not.toContain('job-1');
      store.resume.startFresh('job-1');
      expect(store.resume.checkResumable()).toBeNull();
      // And the caller's sync goes on.
      const sync = store.recording.startSync({ files: ['a.ts'] });
      sync.completeFiles(['a.ts']);
      sync.finish();
      expect(store.resume.checkResumable()).toBeNull();
    },
  );

  it('names the column and why in the reason (the first bad column)', () => {
    const { dbPath, clock } = interrupt();
    handEdit(dbPath, `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(store.resume.checkResumable()?.reason).toMatch(/damaged: phases is not valid JSON/);
  });

  it('is superseded by a later sync that finished, without anyone starting fresh', () => {
    const { dbPath, clock } = interrupt();
    handEdit(dbPath, `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    store.recording.startSync({ files: ['a.ts'] }).finish();
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('resume() of it is a full sync with the reason, never a throw', () => {
    const { dbPath, clock } = interrupt();
    handEdit(dbPath, `UPDATE sync_history SET status = 'bogus' WHERE job_id = 'job-1'`, {
      ignoreChecks: true,
    });
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const { plan, sync } = store.resume.resume('job-1', { changes: [] });
    expect(plan).toMatchObject({
      fullSyncRequired: true,
      reason: expect.stringContaining('status'),
      filesToProcess: [],
    });
    sync.finish();
    expect(store.resume.checkResumable()).toBeNull();
  });

  it('still holds its job id: a new sync with the same id is a conflict, not CORRUPT', () => {
    const { dbPath, clock } = interrupt();
    handEdit(dbPath, `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(() => store.recording.startSync({ jobId: 'job-1' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }),
    );
  });

  it('a direct lookup of it fails with CORRUPT, not STORAGE', () => {
    const { dbPath, clock } = interrupt();
    handEdit(dbPath, `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`);
    const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    const repos = storeInternals(store).repos;
    expect(() => repos.syncHistory.findByJobId('job-1')).toThrow(CorruptDatabaseError);
    expect(() => repos.syncHistory.findByJobId('job-1')).toThrow(
      expect.objectContaining({
        code: 'CORRUPT',
        damage: expect.objectContaining({ table: 'sync_history', column: 'phases' }),
      }),
    );
  });

  it('an older interrupted sync behind a damaged one is not offered in its place', () => {
    const { clock } = interrupt('job-0');
    const { dbPath } = interrupt('job-1', clock);
    handEdit(dbPath, `UPDATE sync_history SET job_id = 'bad id/../x' WHERE job_id = 'job-1'`);
    const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
    expect(store.resume.checkResumable()).toBeNull();
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('job_id') }),
    ]);
  });
});

describe('a checkpoint that cannot be trusted', () => {
  const CHECKPOINT_DAMAGE: [string, string, RegExp][] = [
    ['a ref for its commit', `UPDATE checkpoints SET git_commit = 'HEAD'`, /git_commit/],
    ['an abbreviated commit', `UPDATE checkpoints SET git_commit = 'c0ffee0'`, /git_commit/],
    ['a phase the sync does not have', `UPDATE checkpoints SET phase = 'Mystery Phase'`, /phase/],
    ['metadata that is not JSON', `UPDATE checkpoints SET metadata = '{oops'`, /metadata/],
    ['an updated_at that is text', `UPDATE checkpoints SET updated_at = 'yesterday'`, /updated_at/],
  ];

  it.each(CHECKPOINT_DAMAGE)(
    'with %s: not resumable, and resume() forces a full sync saying why',
    (_name, edit, column) => {
      const { dbPath, clock } = interrupt();
      expect(handEdit(dbPath, edit)).toBe(1);
      const { store } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
      const info = store.resume.checkResumable();
      expect(info).toMatchObject({ jobId: 'job-1', canResume: false, reason: expect.stringMatching(column) });
      const { plan } = store.resume.resume('job-1', {
        changes: [{ status: 'M', path: repoPaths(10)[0]! }],
        headCommit: 'd'.repeat(40),
      });
      expect(plan.fullSyncRequired).toBe(true);
      expect(plan.reason).toMatch(/^full sync required: the checkpoint is damaged/);
      expect(plan.reason).toMatch(column);
      expect(plan.filesToProcess).toEqual([]);
    },
  );
});
