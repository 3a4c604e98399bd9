import { StoreMetaRepository } from '../../src/repositories/store-meta.repository';
import { closeTestStore, openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

describe('StoreMetaRepository', () => {
  const tmp = useTempDir();

  it('returns null for a key never set', () => {
    const repo = new StoreMetaRepository(openTestStore(tmp.join('p.db')));
    expect(repo.get('last_maintenance_at')).toBeNull();
  });

  it('sets, overwrites and keeps keys apart', () => {
    const repo = new StoreMetaRepository(openTestStore(tmp.join('p.db')));
    repo.set('last_maintenance_at', 100);
    repo.set('last_maintenance_at', 200);
    repo.set('last_vacuum_at', 5);
    expect(repo.get('last_maintenance_at')).toBe(200);
    expect(repo.get('last_vacuum_at')).toBe(5);
  });

  it('has() says whether exactly that key is there: not a key it is the start of, not one after its removal', () => {
    const repo = new StoreMetaRepository(openTestStore(tmp.join('p.db')));
    repo.put('archive_batch 2026-10/x.pending-1-abc', 1);
    expect(repo.has('archive_batch 2026-10/x.pending-1-abc')).toBe(true);
    expect(repo.has('archive_batch 2026-10/x.pending-1-ab')).toBe(false);
    expect(repo.has('archive_batch 2026-10/x.pending-1-abcd')).toBe(false);
    repo.remove('archive_batch 2026-10/x.pending-1-abc');
    expect(repo.has('archive_batch 2026-10/x.pending-1-abc')).toBe(false);
  });

  it('keeps values across connections (the point of storing them in the file)', () => {
    const first = openTestStore(tmp.join('p.db'));
    new StoreMetaRepository(first).set('last_vacuum_at', 1_700_000_000_000);
    closeTestStore(first);
    const repo = new StoreMetaRepository(openTestStore(tmp.join('p.db')));
    expect(repo.get('last_vacuum_at')).toBe(1_700_000_000_000);
  });
});
