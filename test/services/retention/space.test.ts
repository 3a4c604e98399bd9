import { StoreFileRepository } from '../../../src/repositories/store-file.repository';
import { measureSpace } from '../../../src/services/retention/space';
import { openTestStore } from '../../support/store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

describe('space figures and vacuums', () => {
  it('counts a missing WAL as empty', () => {
    const connection = openTestStore(tmp.join('a.db'));
    const figures = measureSpace(
      new StoreFileRepository({ ...connection, path: tmp.join('never-opened.db') }),
    );
    expect(figures.walBytes).toBe(0);
    expect(figures.fileBytes).toBe(figures.usedBytes + figures.freeBytes);
  });

  it("fails a VACUUM SQLite refuses with the package's typed error", () => {
    const connection = openTestStore(tmp.join('a.db'));
    const storeFile = new StoreFileRepository(connection);
    connection.sqlite.exec('BEGIN');
    expect(() => storeFile.fullVacuum(100)).toThrow(
      expect.objectContaining({ code: 'STORAGE', message: expect.stringMatching(/^vacuum: /) }),
    );
    storeFile.incrementalVacuum(0); // a no-op asking for at least one page, allowed in a transaction
    connection.sqlite.exec('ROLLBACK');
  });
});
