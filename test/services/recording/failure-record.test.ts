import { ValidationError } from '../../../src';
import { openTestProgressStore, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

/** The one error record kept for a sync that failed with `failure`. */
function recordedFailure(failure: unknown): Record<string, unknown> {
  const { store } = openTestProgressStore(tmp.path);
  store.recording.startSync({ jobId: 'j' }).fail(failure as never);
  const [row] = rows<{ errors: string }>(store, 'SELECT errors FROM sync_history');
  return JSON.parse(row!.errors)[0];
}

describe('a failure as the error history keeps it', () => {
  it('keeps the file a structured failure names', () => {
    expect(recordedFailure({ message: 'unreadable', code: 'EACCES', file: 'src/a.ts' })).toEqual({
      phase: 'Initializing',
      code: 'EACCES',
      message: 'unreadable',
      file: 'src/a.ts',
      at: expect.any(Number),
    });
  });

  it('gives an Error without a code the code ERROR', () => {
    expect(recordedFailure(new Error('disk on fire'))).toMatchObject({
      code: 'ERROR',
      message: 'disk on fire',
    });
  });

  it("cuts an Error's code to 100 characters and its message to 4000", () => {
    const error = Object.assign(new Error('m'.repeat(5000)), { code: 'E'.repeat(150) });
    const record = recordedFailure(error);
    expect(record.code).toBe('E'.repeat(100));
    expect(record.message).toBe('m'.repeat(4000));
  });

  it('refuses a malformed failure with an error that names the call', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'j' });
    expect(() => sync.fail({ message: 42 } as never)).toThrow(ValidationError);
    expect(() => sync.fail({ message: 42 } as never)).toThrow(/^fail: /);
    expect(rows(store, 'SELECT status FROM sync_history')).toEqual([{ status: 'running' }]);
  });
});
