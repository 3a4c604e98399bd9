import {
  InconsistentFileLogError,
  UnusableCommitError,
  UntrustedCheckpointError,
} from '../../../src/untrusted-checkpoint';
import { decodeOrdinals } from '../../../src/repositories/file-log-codec';
import { changesSince } from '../../../src/services/resume/git-changes';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

describe('the errors that mean a checkpoint is not trusted', () => {
  it('share one base, which a resume tells apart from a store that is unwell', () => {
    const fromLog = (() => {
      try {
        decodeOrdinals(Buffer.from([0x80]), () => undefined);
      } catch (error) {
        return error;
      }
    })();
    const fromGit = (() => {
      try {
        changesSince(tmp.path, 'a'.repeat(40));
      } catch (error) {
        return error;
      }
    })();
    expect(fromLog).toBeInstanceOf(InconsistentFileLogError);
    expect(fromGit).toBeInstanceOf(UnusableCommitError);
    for (const error of [fromLog, fromGit]) {
      expect(error).toBeInstanceOf(UntrustedCheckpointError);
      expect((error as Error).name).toBe((error as Error).constructor.name);
    }
  });

  it('build their own messages: every file-log one says so, and a count mismatch names both sides', () => {
    expect(new InconsistentFileLogError('a planned row is gone').message).toBe(
      'file log: a planned row is gone',
    );
    expect(
      InconsistentFileLogError.countsDiffer(
        { completed: 1, pending: 2, skipped: 3 },
        { completed: 0, pending: 0, skipped: 0 },
      ).message,
    ).toBe('file log: the checkpoint counts (1/2/3) do not match its file log (0/0/0)');
  });
});
