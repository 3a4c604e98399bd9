import {
  ConflictError,
  CorruptDatabaseError,
  DatabaseLockedError,
  NotFoundError,
  ProgressStoreError,
  SchemaTooNewError,
  StorageError,
  StorageFullError,
  StoreClosedError,
  ValidationError,
} from '../../src/errors';

// Callers branch on `code`, so the codes are part of the public contract: a rename is a
// breaking change and must show up here.
describe('the error hierarchy', () => {
  it.each([
    [NotFoundError, 'NOT_FOUND'],
    [ConflictError, 'CONFLICT'],
    [StorageFullError, 'STORAGE_FULL'],
    [CorruptDatabaseError, 'CORRUPT'],
    [DatabaseLockedError, 'LOCKED'],
    [SchemaTooNewError, 'SCHEMA_TOO_NEW'],
    [StorageError, 'STORAGE'],
    [StoreClosedError, 'CLOSED'],
  ] as const)('%p has the stable code %s, its own name, and keeps a cause', (ErrorClass, code) => {
    const cause = new Error('underlying');
    const error = new ErrorClass('message', { cause });
    expect(error).toBeInstanceOf(ProgressStoreError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.message).toBe('message');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe(`${ErrorClass.name}: message`);
  });

  describe('ValidationError', () => {
    it('lists each issue with its field path, after the context', () => {
      const error = new ValidationError(
        [
          { path: 'percent', message: 'must be at most 100' },
          { path: 'files.3', message: 'must be relative' },
        ],
        'invalid progress update',
      );
      expect(error.code).toBe('VALIDATION');
      expect(error.name).toBe('ValidationError');
      expect(error.issues).toHaveLength(2);
      expect(error.message).toBe(
        'invalid progress update: percent: must be at most 100; files.3: must be relative',
      );
    });

    it('omits an empty path and a missing context', () => {
      expect(new ValidationError([{ path: '', message: 'must be an object' }]).message).toBe(
        'must be an object',
      );
    });
  });
});
