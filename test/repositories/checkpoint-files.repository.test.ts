import { CheckpointFilesRepository, PATHS_PER_ROW } from '../../src/repositories/checkpoint-files.repository';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('CheckpointFilesRepository', () => {
  const tmp = useTempDir();
  const setup = () => {
    const connection = openTestStore(tmp.join('p.db'));
    return { repo: new CheckpointFilesRepository(connection), sqlite: connection.sqlite };
  };

  it('appends events and lists a lineage’s log oldest first', () => {
    const { repo } = setup();
    repo.append('lin', { kind: 'planned', jobId: 'job-1', checkpointSeq: 0, paths: ['a.ts', 'src/b.ts', 'c d/é.ts'] });
    repo.append('lin', { kind: 'completed', jobId: 'job-1', checkpointSeq: 1, paths: ['a.ts'] });
    repo.append('lin', { kind: 'skipped', jobId: 'job-1', checkpointSeq: 1, paths: ['src/b.ts'] });
    // A resumed sync writes into the same lineage under its own job id.
    repo.append('lin', { kind: 'reopened', jobId: 'job-2', checkpointSeq: 1, paths: ['a.ts'] });
    repo.append('lin', { kind: 'removed', jobId: 'job-2', checkpointSeq: 1, paths: ['c d/é.ts'] });

    expect(repo.list('lin')).toEqual([
      { kind: 'planned', jobId: 'job-1', checkpointSeq: 0, paths: ['a.ts', 'src/b.ts', 'c d/é.ts'] },
      { kind: 'completed', jobId: 'job-1', checkpointSeq: 1, paths: ['a.ts'] },
      { kind: 'skipped', jobId: 'job-1', checkpointSeq: 1, paths: ['src/b.ts'] },
      { kind: 'reopened', jobId: 'job-2', checkpointSeq: 1, paths: ['a.ts'] },
      { kind: 'removed', jobId: 'job-2', checkpointSeq: 1, paths: ['c d/é.ts'] },
    ]);
  });

  it('keeps lineages apart', () => {
    const { repo } = setup();
    repo.append('lin-a', { kind: 'planned', jobId: 'a', checkpointSeq: 0, paths: ['x'] });
    repo.append('lin-b', { kind: 'planned', jobId: 'b', checkpointSeq: 0, paths: ['y'] });
    expect(repo.list('lin-a').map((e) => e.paths)).toEqual([['x']]);
    expect(repo.list('none')).toEqual([]);
  });

  it('writes nothing for an empty batch (path_count must be positive)', () => {
    const { repo, sqlite } = setup();
    repo.append('lin', { kind: 'completed', jobId: 'job-1', checkpointSeq: 1, paths: [] });
    expect(sqlite.prepare('SELECT count(*) FROM checkpoint_files').pluck().get()).toBe(0);
    expect(repo.list('lin')).toEqual([]);
  });

  it(`splits a batch over ${PATHS_PER_ROW} paths into rows of at most ${PATHS_PER_ROW}, in order`, () => {
    const { repo, sqlite } = setup();
    const paths = Array.from({ length: PATHS_PER_ROW * 2 + 1 }, (_, i) => `src/file-${i}.ts`);
    repo.append('lin', { kind: 'planned', jobId: 'job-1', checkpointSeq: 0, paths });

    expect(sqlite.prepare('SELECT path_count FROM checkpoint_files ORDER BY id').pluck().all()).toEqual([
      PATHS_PER_ROW,
      PATHS_PER_ROW,
      1,
    ]);
    const events = repo.list('lin');
    expect(events.every((e) => e.kind === 'planned' && e.jobId === 'job-1' && e.checkpointSeq === 0)).toBe(true);
    expect(events.flatMap((e) => e.paths)).toEqual(paths);
  });

  it('deletes a whole lineage, returning the number of rows removed and leaving others', () => {
    const { repo } = setup();
    repo.append('lin-a', { kind: 'planned', jobId: 'a', checkpointSeq: 0, paths: ['x'] });
    repo.append('lin-a', { kind: 'completed', jobId: 'a', checkpointSeq: 1, paths: ['x'] });
    repo.append('lin-b', { kind: 'planned', jobId: 'b', checkpointSeq: 0, paths: ['y'] });

    expect(repo.deleteLineage('lin-a')).toBe(2);
    expect(repo.deleteLineage('lin-a')).toBe(0);
    expect(repo.list('lin-a')).toEqual([]);
    expect(repo.list('lin-b')).toHaveLength(1);
  });
});
