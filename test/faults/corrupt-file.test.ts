import fs from 'node:fs';
import { overwriteHeader, truncateFile, flipBytesInPage } from '../support/damage';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../support/progress-store';
import { listDir, useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

/** A store with one interrupted sync in it, closed. */
function storeWithHistory(): string {
  const { store } = openTestProgressStore(tmp.path);
  const sync = store.recording.startSync({ files: repoPaths(50) });
  sync.completeFiles(repoPaths(50).slice(0, 10));
  sync.flush();
  const path = store.path;
  closeTestProgressStore(store);
  return path;
}

describe('a damaged progress file at open', () => {
  it.each([
    ['a garbage header', overwriteHeader],
    ['a truncated file', (p: string) => truncateFile(p)],
    ['damaged pages', (p: string) => flipBytesInPage(p, 'sync_history')],
    ['a file that is not a database at all', (p: string) => fs.writeFileSync(p, 'this is a text file, not SQLite\n'.repeat(200))],
  ])('with %s is moved aside, replaced, reported, and the sync goes on', (_name, damage) => {
    const dbPath = storeWithHistory();
    damage(dbPath);
    const { store, warnings } = openTestProgressStore(tmp.path);
    expect(warnings).toEqual([expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('.corrupt-') })]);
    const aside = listDir(tmp.path).filter((n) => /^acme-api\.db\.corrupt-\d+$/.test(n));
    expect(aside).toHaveLength(1);
    // The caller's sync carries on in the fresh file.
    const sync = store.recording.startSync({ files: ['a.ts'] });
    sync.completeFiles(['a.ts']);
    sync.finish();
    expect(store.resume.checkResumable()).toBeNull();
  });
});
