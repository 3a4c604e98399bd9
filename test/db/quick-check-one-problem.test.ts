import { miscountFreePages } from '../support/damage';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../support/progress-store';
import { listDir, useTempDir } from '../support/temp-dir';

/** quick_check reports damage as rows: one problem row is as much damage as many. */
const tmp = useTempDir();

describe('a file whose quick_check reports a single problem', () => {
  it('is damaged: moved aside at open and reported, never opened as healthy', () => {
    const { store } = openTestProgressStore(tmp.path);
    store.recording.startSync({ files: repoPaths(5) }).finish();
    const dbPath = store.path;
    closeTestProgressStore(store);

    const problems = miscountFreePages(dbPath);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Freelist: size is \d+ but should be \d+/);

    const reopened = openTestProgressStore(tmp.path);
    expect(reopened.warnings).toEqual([
      expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('.corrupt-') }),
    ]);
    expect(listDir(tmp.path).filter((n) => /^acme-api\.db\.corrupt-\d+$/.test(n))).toHaveLength(1);
    expect(reopened.store.metrics.report().empty).toBe(true); // the fresh file holds none of the damaged one's rows
  });
});
