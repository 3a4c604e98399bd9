import { ZodError } from 'zod';
import { SyncHistoryRepository } from '../../src/repositories/sync-history.repository';
import { RESUMABLE_STATUSES } from '../../src/schema/sync-status';
import { CorruptDatabaseError } from '../../src/errors';
import { MAX_JSON_CELL_CHARS } from '../../src/validation/rows';
import { DEFAULT_PHASES, T0, syncHistoryRow, syncOutcome } from '../support/rows';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('SyncHistoryRepository', () => {
  const tmp = useTempDir();
  const setup = () => {
    const connection = openTestStore(tmp.join('p.db'));
    return { repo: new SyncHistoryRepository(connection), sqlite: connection.sqlite };
  };

  describe('insert / findByJobId', () => {
    it('round-trips a row, applying the defaults and parsing the JSON columns', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow({ metadata: { trigger: 'manual' }, gitCommit: 'abc'.padEnd(40, '0') }));

      expect(repo.findByJobId('job-1')).toEqual(
        expect.objectContaining({
          jobId: 'job-1',
          projectId: 'proj',
          status: 'running',
          startTime: T0,
          lastActivityAt: T0,
          phases: DEFAULT_PHASES,
          overallProgress: 0,
          filesProcessed: 0,
          totalFiles: 0,
          endTime: null,
          phaseDurations: null,
          errors: null,
          ownerPid: 4242,
          ownerHost: 'host-a',
          gitCommit: 'abc'.padEnd(40, '0'),
          metadata: { trigger: 'manual' },
          resumedFromJobId: null,
          resumedByJobId: null,
        }),
      );
    });

    it('returns null for an unknown job', () => {
      const { repo } = setup();
      expect(repo.findByJobId('nope')).toBeNull();
    });

    it('refuses a second row for the same job id', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      expect(() => repo.insert(syncHistoryRow({ startTime: T0 + 1 }))).toThrow(
        expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      );
    });

    it.each([
      ['empty phases', { phases: [] }],
      ['duplicate phase names', { phases: [DEFAULT_PHASES[0]!, DEFAULT_PHASES[0]!] }],
      ['a negative phase duration', { phaseDurations: { 'Git Fetch': -1 } }],
      ['an error record without a code', { errors: [{ phase: null, message: 'x', at: T0 }] as never }],
    ])('refuses JSON columns that do not fit their schema (%s) and writes nothing', (_what, bad) => {
      const { repo } = setup();
      expect(() => repo.insert(syncHistoryRow(bad))).toThrow(ZodError);
      expect(repo.findByJobId('job-1')).toBeNull();
    });

    it('findByJobId reports a JSON column holding text that is not JSON as a damaged row (CORRUPT)', () => {
      // drizzle parses JSON columns while reading, before any schema check: a SyntaxError
      // must not escape as if it were a bug in the caller.
      const { repo, sqlite } = setup();
      repo.insert(syncHistoryRow());
      sqlite.prepare("UPDATE sync_history SET errors = '[{truncated' WHERE job_id = 'job-1'").run();
      expect(() => repo.findByJobId('job-1')).toThrow(CorruptDatabaseError);
      expect(() => repo.findByJobId('job-1')).toThrow(
        /^sync_history row job_id=job-1 is damaged: errors is not valid JSON/,
      );
    });

    it('listResumeCandidates passes over a damaged row; inspectResumeCandidates describes it', () => {
      const { repo, sqlite } = setup();
      repo.insert(syncHistoryRow());
      repo.insert(syncHistoryRow({ jobId: 'job-2' }));
      sqlite.prepare("UPDATE sync_history SET errors = '[{truncated' WHERE job_id = 'job-1'").run();
      expect(repo.listResumeCandidates('proj').map((r) => r.jobId)).toEqual(['job-2']);
      expect(repo.inspectResumeCandidates('proj')).toEqual([
        expect.objectContaining({ ok: true }),
        expect.objectContaining({
          ok: false,
          damage: {
            table: 'sync_history',
            key: 'job_id=job-1',
            column: 'errors',
            why: expect.stringMatching(/^is not valid JSON/),
          },
        }),
      ]);
    });

    it('passes over a JSON cell larger than any the store writes, without parsing it', () => {
      // A hand-edited or damaged cell of tens of MB would otherwise be parsed in full at
      // every read before its schema refused it: the size is checked first.
      const { repo, sqlite } = setup();
      repo.insert(syncHistoryRow());
      repo.insert(syncHistoryRow({ jobId: 'job-2' }));
      const huge = JSON.stringify([
        { phase: null, code: 'X', message: 'm'.repeat(MAX_JSON_CELL_CHARS), at: 1 },
      ]);
      sqlite.prepare("UPDATE sync_history SET errors = ? WHERE job_id = 'job-1'").run(huge);
      expect(repo.listResumeCandidates('proj').map((r) => r.jobId)).toEqual(['job-2']);
      expect(repo.inspectResumeCandidates('proj')[1]).toMatchObject({
        ok: false,
        damage: {
          column: 'errors',
          why: `holds ${huge.length} characters of JSON, more than ${MAX_JSON_CELL_CHARS}`,
        },
      });
    });

    it('reports a damaged JSON column on the way out as CorruptDatabaseError naming the column', () => {
      const { repo, sqlite } = setup();
      repo.insert(syncHistoryRow());
      sqlite
        .prepare('UPDATE sync_history SET phases = \'[{"name":"","weight":7}]\' WHERE job_id = \'job-1\'')
        .run();
      expect(() => repo.findByJobId('job-1')).toThrow(CorruptDatabaseError);
      expect(() => repo.findByJobId('job-1')).toThrow(/job_id=job-1 is damaged: phases 0\.name/);
    });
  });

  describe('updateProgress / heartbeat', () => {
    const progress = {
      currentPhase: 'Indexing Files',
      overallProgress: 42.5,
      filesProcessed: 5,
      totalFiles: 12,
      lastActivityAt: T0 + 5000,
      lastActivityMono: 5000,
    };

    it('update a running sync and return true', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());

      expect(repo.updateProgress('job-1', progress)).toBe(true);
      expect(repo.findByJobId('job-1')).toMatchObject(progress);

      expect(repo.heartbeat('job-1', T0 + 9000, 9000)).toBe(true);
      expect(repo.findByJobId('job-1')).toMatchObject({
        ...progress,
        lastActivityAt: T0 + 9000,
        lastActivityMono: 9000,
      });
    });

    it('return false and change nothing once the sync is no longer running', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      repo.finish('job-1', syncOutcome());
      const finished = repo.findByJobId('job-1');

      expect(repo.updateProgress('job-1', progress)).toBe(false);
      expect(repo.heartbeat('job-1', T0 + 99_000, 99_000)).toBe(false);
      expect(repo.findByJobId('job-1')).toEqual(finished);
    });

    it('return false for an unknown job', () => {
      const { repo } = setup();
      expect(repo.updateProgress('nope', progress)).toBe(false);
      expect(repo.heartbeat('nope', T0, 0)).toBe(false);
    });

    it('touch only the named job', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow({ jobId: 'a' }));
      repo.insert(syncHistoryRow({ jobId: 'b' }));
      repo.updateProgress('a', progress);
      repo.heartbeat('a', T0 + 1, 1);
      expect(repo.findByJobId('b')).toMatchObject({ overallProgress: 0, lastActivityAt: T0 });
    });
  });

  describe('finish', () => {
    it('records the outcome, sets lastActivityAt to the end time and drops the owner', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      const outcome = syncOutcome({
        errors: [{ phase: 'Indexing Files', code: 'EACCES', message: 'denied', file: 'a.ts', at: T0 + 1 }],
      });

      expect(repo.finish('job-1', outcome)).toBe(true);
      expect(repo.findByJobId('job-1')).toMatchObject({
        ...outcome,
        lastActivityAt: outcome.endTime,
        ownerPid: null,
      });
    });

    it('returns false the second time (a sync ends once)', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      expect(repo.finish('job-1', syncOutcome())).toBe(true);
      expect(repo.finish('job-1', syncOutcome({ status: 'failed' }))).toBe(false);
      expect(repo.findByJobId('job-1')?.status).toBe('completed');
    });

    it('refuses an outcome whose JSON does not fit, changing nothing', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      expect(() => repo.finish('job-1', syncOutcome({ phaseDurations: { x: 1.5 } }))).toThrow(ZodError);
      expect(repo.findByJobId('job-1')?.status).toBe('running');
    });
  });

  describe('releaseOwner', () => {
    it('drops the owner of a running sync without ending it', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      repo.releaseOwner('job-1');
      expect(repo.findByJobId('job-1')).toMatchObject({
        status: 'running',
        ownerPid: null,
        ownerHost: 'host-a',
      });
    });

    it('leaves a finished sync alone', () => {
      const { repo, sqlite } = setup();
      repo.insert(syncHistoryRow({ status: 'failed' }));
      repo.releaseOwner('job-1');
      expect(sqlite.prepare("SELECT owner_pid FROM sync_history WHERE job_id = 'job-1'").get()).toEqual({
        owner_pid: 4242,
      });
    });
  });

  describe('transition', () => {
    it('moves a sync from an allowed status, recording the given fields and dropping the owner', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow({ status: 'failed' }));
      expect(
        repo.transition('job-1', ['running', 'failed'], 'resumed', {
          endTime: T0 + 10,
          resumedByJobId: 'job-2',
        }),
      ).toBe(true);
      expect(repo.findByJobId('job-1')).toMatchObject({
        status: 'resumed',
        endTime: T0 + 10,
        resumedByJobId: 'job-2',
        ownerPid: null,
      });
    });

    it('refuses a sync in any other status', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow({ status: 'completed' }));
      expect(repo.transition('job-1', ['running', 'failed'], 'interrupted')).toBe(false);
      expect(repo.findByJobId('job-1')?.status).toBe('completed');
    });

    it('lets only the first of two racing claims win', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow({ status: 'cancelled' }));
      expect(repo.transition('job-1', RESUMABLE_STATUSES, 'resumed', { resumedByJobId: 'a' })).toBe(true);
      expect(repo.transition('job-1', RESUMABLE_STATUSES, 'resumed', { resumedByJobId: 'b' })).toBe(false);
      expect(repo.findByJobId('job-1')?.resumedByJobId).toBe('a');
    });

    it('returns false for an unknown job', () => {
      const { repo } = setup();
      expect(repo.transition('nope', ['running'], 'interrupted')).toBe(false);
    });
  });

  describe('listResumeCandidates', () => {
    it('lists the project’s running, failed and cancelled syncs, newest first by insertion, not by clock', () => {
      const { repo } = setup();
      // The wall clock jumped back between the second and third sync.
      repo.insert(syncHistoryRow({ jobId: 'first', status: 'failed', startTime: T0 }));
      repo.insert(syncHistoryRow({ jobId: 'second', status: 'running', startTime: T0 + 60_000 }));
      repo.insert(syncHistoryRow({ jobId: 'third', status: 'cancelled', startTime: T0 - 3_600_000 }));
      for (const status of ['completed', 'interrupted', 'resumed'] as const) {
        repo.insert(syncHistoryRow({ jobId: status, status }));
      }
      repo.insert(syncHistoryRow({ jobId: 'elsewhere', projectId: 'other', status: 'failed' }));

      expect(repo.listResumeCandidates('proj').map((r) => r.jobId)).toEqual(['third', 'second', 'first']);
      expect(repo.listResumeCandidates('other').map((r) => r.jobId)).toEqual(['elsewhere']);
      expect(repo.listResumeCandidates('none')).toEqual([]);
    });

    it('honours the limit and returns parsed rows', () => {
      const { repo } = setup();
      for (let i = 0; i < 5; i++) repo.insert(syncHistoryRow({ jobId: `job-${i}`, status: 'failed' }));
      const rows = repo.listResumeCandidates('proj', 2);
      expect(rows.map((r) => r.jobId)).toEqual(['job-4', 'job-3']);
      expect(rows[0]?.phases).toEqual(DEFAULT_PHASES);
    });
  });

  describe('recordPhaseDurations', () => {
    it('keeps the durations of a running sync, validated, and refuses once it ended', () => {
      const { repo } = setup();
      repo.insert(syncHistoryRow());
      expect(repo.recordPhaseDurations('job-1', { 'Git Fetch': 1200 })).toBe(true);
      expect(repo.findByJobId('job-1')?.phaseDurations).toEqual({ 'Git Fetch': 1200 });
      expect(() => repo.recordPhaseDurations('job-1', { 'Git Fetch': -1 })).toThrow(ZodError);
      repo.finish('job-1', syncOutcome());
      expect(repo.recordPhaseDurations('job-1', { 'Git Fetch': 5 })).toBe(false);
      expect(repo.findByJobId('job-1')?.phaseDurations).toEqual(syncOutcome().phaseDurations);
    });
  });
});
