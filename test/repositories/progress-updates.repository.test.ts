import { ZodError } from 'zod';
import { ProgressUpdatesRepository } from '../../src/repositories/progress-updates.repository';
import { CorruptDatabaseError } from '../../src/errors';
import { T0, progressRow } from '../support/rows';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('ProgressUpdatesRepository', () => {
  const tmp = useTempDir();
  const setup = () => {
    const connection = openTestStore(tmp.join('p.db'));
    return { repo: new ProgressUpdatesRepository(connection), sqlite: connection.sqlite };
  };

  it('inserts a row and lists it back with every field', () => {
    const { repo } = setup();
    const summary = { seq: 3, filesCompleted: 10, filesPending: 5, filesSkipped: 1 };
    repo.insert(progressRow({ checkpointData: summary }));

    expect(repo.listByJob('job-1')).toEqual([
      {
        id: expect.any(Number),
        jobId: 'job-1',
        timestamp: T0,
        elapsedMs: 0,
        phase: 'Indexing Files',
        overallProgress: 50,
        phaseProgress: 25,
        filesProcessed: 5,
        totalFiles: 20,
        rate: 2.5,
        checkpointData: summary,
      },
    ]);
  });

  it('stores a missing checkpoint summary as NULL', () => {
    const { repo, sqlite } = setup();
    repo.insert(progressRow({ checkpointData: null }));
    repo.insert(progressRow({ checkpointData: undefined as never }));
    expect(sqlite.prepare('SELECT checkpoint_data FROM progress_updates').pluck().all()).toEqual([
      null,
      null,
    ]);
    expect(repo.listByJob('job-1').map((r) => r.checkpointData)).toEqual([null, null]);
  });

  it('lists a job’s trail in recording order even when the wall clock went backwards', () => {
    const { repo } = setup();
    repo.insert(progressRow({ timestamp: T0, overallProgress: 10 }));
    repo.insert(progressRow({ timestamp: T0 - 3_600_000, overallProgress: 20 })); // clock set back an hour
    repo.insert(progressRow({ timestamp: T0 + 1000, overallProgress: 30 }));
    repo.insert(progressRow({ jobId: 'other', overallProgress: 99 }));

    expect(repo.listByJob('job-1').map((r) => r.overallProgress)).toEqual([10, 20, 30]);
    expect(repo.listByJob('other')).toHaveLength(1);
    expect(repo.listByJob('none')).toEqual([]);
  });

  it('refuses a checkpoint summary that does not fit its schema, writing nothing', () => {
    const { repo } = setup();
    expect(() =>
      repo.insert(
        progressRow({ checkpointData: { seq: -1, filesCompleted: 0, filesPending: 0, filesSkipped: 0 } }),
      ),
    ).toThrow(ZodError);
    expect(repo.listByJob('job-1')).toEqual([]);
  });

  it('lets the CHECK constraint refuse progress over 100', () => {
    const { repo } = setup();
    expect(() => repo.insert(progressRow({ overallProgress: 100.01 }))).toThrow(
      expect.objectContaining({ code: 'SQLITE_CONSTRAINT_CHECK' }),
    );
  });

  it.each([
    ['text that is not JSON', "'{not json'"],
    ['JSON that does not fit the summary schema', `'{"seq":-4}'`],
  ])('reports %s in checkpoint_data as CorruptDatabaseError', (_what, literal) => {
    const { repo, sqlite } = setup();
    repo.insert(progressRow());
    sqlite.exec(`UPDATE progress_updates SET checkpoint_data = ${literal}`);
    expect(() => repo.listByJob('job-1')).toThrow(CorruptDatabaseError);
  });

  it('can be called many times on one prepared statement (the hot path)', () => {
    const { repo } = setup();
    for (let i = 0; i < 500; i++) repo.insert(progressRow({ elapsedMs: i, overallProgress: i / 5 }));
    const rows = repo.listByJob('job-1');
    expect(rows).toHaveLength(500);
    expect(rows[499]).toMatchObject({ elapsedMs: 499, overallProgress: 99.8 });
  });
});
