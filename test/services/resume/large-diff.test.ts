import { changesSince } from '../../../src/services/resume/git-changes';
import { GitRepo } from '../../support/git-repo';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

describe('changesSince on a large change', () => {
  it('reads a name listing larger than the 1 MiB that node buffers by default', () => {
    const repo = new GitRepo(tmp.join('repo'));
    repo.write('README.md', 'start\n');
    const base = repo.commit('initial');
    // 5,000 names of ~215 bytes: a listing of about 1.1 MB.
    const folder = `src/${'deeply-nested-generated-module-'.repeat(6)}`;
    const added = Array.from(
      { length: 5000 },
      (_, i) => `${folder}/generated-file-${String(i).padStart(5, '0')}.ts`,
    );
    for (const file of added) repo.write(file, '');
    const head = repo.commit('a large generated change');

    const result = changesSince(repo.dir, base);
    const listing = added.reduce((bytes, file) => bytes + file.length + 3, 0);
    expect(listing).toBeGreaterThan(1024 * 1024);
    expect(result.head).toBe(head);
    expect(result.changes).toHaveLength(added.length);
    expect(result.changes.map((c) => c.path).sort()).toEqual(added);
  });
});
