import { ValidationError } from '../../../src';
import { openTestProgressStore } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/** A file list call that contradicts the work list names each offending entry by its index. */
const tmp = useTempDir();

function issuesOf(call: () => void): ValidationError['issues'] {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('file list errors', () => {
  it('name the index of a path planned twice, completed twice or skipped after completion', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'lists' });
    sync.planFiles(['src/a.ts', 'src/b.ts']);
    expect(issuesOf(() => sync.planFiles(['src/c.ts', 'src/a.ts']))).toEqual([
      { path: 'paths.1', message: '"src/a.ts" is already pending' },
    ]);
    sync.completeFiles(['src/a.ts']);
    expect(issuesOf(() => sync.completeFiles(['src/a.ts']))).toEqual([
      { path: 'paths.0', message: '"src/a.ts" is already completed' },
    ]);
    expect(issuesOf(() => sync.skipFiles(['src/b.ts', 'src/a.ts']))).toEqual([
      { path: 'paths.1', message: '"src/a.ts" is already completed' },
    ]);
    expect(sync.files).toEqual({ pending: 1, completed: 1, skipped: 0 });
  });
});
