import { ValidationError } from '../../../src';
import { openTestProgressStore, rows } from '../../support/progress-store';
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
  it('name the index of a path planned twice', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'lists' });
    sync.planFiles(['src/a.ts', 'src/b.ts']);
    expect(issuesOf(() => sync.planFiles(['src/c.ts', 'src/a.ts']))).toEqual([
      { path: 'paths.1', message: '"src/a.ts" is already pending' },
    ]);
    expect(sync.files).toEqual({ pending: 2, completed: 0, skipped: 0 });
  });
});

describe('a file finished again', () => {
  // A late or repeated completion (a retry, a file the resume plan skipped) is not a bad
  // value: it must not throw into the sync loop. It changes nothing and is said once.
  it('is ignored, counted once, and warned about once per sync', () => {
    const { store, warnings } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'again', files: ['src/a.ts', 'src/b.ts', 'src/c.ts'] });
    sync.completeFiles(['src/a.ts']);
    expect(() => sync.completeFiles(['src/a.ts'])).not.toThrow();
    expect(() => sync.skipFiles(['src/b.ts', 'src/a.ts'])).not.toThrow();
    expect(() => sync.completeFiles(['src/c.ts', 'src/c.ts'])).not.toThrow();
    expect(() => sync.skipFiles(['src/b.ts'])).not.toThrow();
    expect(sync.files).toEqual({ pending: 0, completed: 2, skipped: 1 });
    expect(warnings.filter((w) => w.code === 'REPEATED_FILES')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^sync again: completeFiles\(\) named 1 file already finished/),
      }),
    ]);
    expect(sync.flush()).toBe(true);
    expect(rows(store, 'SELECT files_completed, files_skipped, files_pending FROM checkpoints')).toEqual([
      { files_completed: 2, files_skipped: 1, files_pending: 0 },
    ]);
  });

  it('still throws for a bad path in the same call, changing nothing', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'bad', files: ['src/a.ts'] });
    sync.completeFiles(['src/a.ts']);
    expect(issuesOf(() => sync.completeFiles(['src/a.ts', '../up']))).toEqual([
      { path: 'paths.1', message: expect.stringMatching(/"\.\." segments/) },
    ]);
    expect(sync.files).toEqual({ pending: 0, completed: 1, skipped: 0 });
  });
});
