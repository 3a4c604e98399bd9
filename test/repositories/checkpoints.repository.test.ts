import { ZodError } from 'zod';
import { CheckpointsRepository } from '../../src/repositories/checkpoints.repository';
import { CorruptDatabaseError } from '../../src/errors';
import { T0, checkpointRow } from '../support/rows';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('CheckpointsRepository', () => {
  const tmp = useTempDir();
  const setup = () => {
    const connection = openTestStore(tmp.join('p.db'));
    return { repo: new CheckpointsRepository(connection), sqlite: connection.sqlite };
  };

  it('inserts a checkpoint and finds it by job id', () => {
    const { repo } = setup();
    const row = checkpointRow({
      metadata: { metrics: { rate: 2, memoryUsage: 10, cpuPercent: 50 }, caller: { branch: 'main' } },
    });
    repo.upsert(row);
    expect(repo.findByJobId('job-1')).toEqual(row);
  });

  it('returns null for a job without a checkpoint', () => {
    const { repo } = setup();
    expect(repo.findByJobId('nope')).toBeNull();
  });

  it('replaces the job’s checkpoint on the next upsert, keeping its createdAt', () => {
    const { repo } = setup();
    repo.upsert(checkpointRow());
    const next = checkpointRow({
      seq: 2,
      createdAt: T0 + 5000, // ignored: the first checkpoint's creation time stays
      updatedAt: T0 + 5000,
      phase: 'Validating Index',
      phaseProgress: 0,
      overallProgress: 90,
      filesCompleted: 3,
      filesPending: 0,
      gitCommit: null,
    });
    repo.upsert(next);

    expect(repo.findByJobId('job-1')).toEqual({ ...next, createdAt: T0 });
    expect(repo.countByLineage('job-1')).toBe(1);
  });

  it('refuses metadata that does not fit its schema, writing nothing', () => {
    const { repo } = setup();
    const bad = checkpointRow({ metadata: { metrics: { rate: -1, memoryUsage: 0, cpuPercent: 0 } } });
    expect(() => repo.upsert(bad)).toThrow(ZodError);
    expect(repo.findByJobId('job-1')).toBeNull();
  });

  it.each([
    ['text that is not JSON', "'{{'"],
    ['JSON that does not fit the metadata schema', `'{"metrics":"none"}'`],
  ])('reports %s in metadata as CorruptDatabaseError', (_what, literal) => {
    const { repo, sqlite } = setup();
    repo.upsert(checkpointRow());
    sqlite.exec(`UPDATE checkpoints SET metadata = ${literal}`);
    expect(() => repo.findByJobId('job-1')).toThrow(CorruptDatabaseError);
  });

  it('findByJobIdRaw returns the keys without reading the (possibly damaged) JSON', () => {
    const { repo, sqlite } = setup();
    repo.upsert(checkpointRow({ lineageId: 'lineage-a', seq: 7 }));
    sqlite.exec("UPDATE checkpoints SET metadata = 'damaged'");
    expect(repo.findByJobIdRaw('job-1')).toEqual({ jobId: 'job-1', lineageId: 'lineage-a', seq: 7 });
    expect(repo.findByJobIdRaw('nope')).toBeNull();
  });

  it('deletes a job’s checkpoint, reporting whether there was one', () => {
    const { repo } = setup();
    repo.upsert(checkpointRow());
    repo.upsert(checkpointRow({ jobId: 'job-2' }));
    expect(repo.delete('job-1')).toBe(true);
    expect(repo.delete('job-1')).toBe(false);
    expect(repo.findByJobId('job-1')).toBeNull();
    expect(repo.findByJobId('job-2')).not.toBeNull();
  });

  it('counts the checkpoints that build on a lineage', () => {
    const { repo } = setup();
    expect(repo.countByLineage('lineage-a')).toBe(0);
    repo.upsert(checkpointRow({ jobId: 'job-1', lineageId: 'lineage-a' }));
    repo.upsert(checkpointRow({ jobId: 'job-2', lineageId: 'lineage-a' }));
    repo.upsert(checkpointRow({ jobId: 'job-3', lineageId: 'lineage-b' }));
    expect(repo.countByLineage('lineage-a')).toBe(2);
    expect(repo.countByLineage('lineage-b')).toBe(1);
  });
});
