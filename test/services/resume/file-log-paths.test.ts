import BetterSqlite3 from 'better-sqlite3';
import { PATHS_PER_ROW } from '../../../src/repositories/checkpoint-files.repository';
import { checksum } from '../../../src/repositories/file-log-codec';
import { closeTestProgressStore, openTestProgressStore, repoPaths } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

// Issue 12, finding 2: a path put into the file log by a hand edit that also recomputes
// the row's CRC must not come back in a resume plan. The log is then damaged: a full sync.
const tmp = useTempDir();

/** A sync of 10 files with 4 completed, checkpointed, its store closed (the owner gone). */
function interrupt() {
  const opened = openTestProgressStore(tmp.path);
  const sync = opened.store.recording.startSync({
    jobId: 'job-1',
    gitCommit: 'abc1234'.padEnd(40, '0'),
    files: repoPaths(10),
  });
  sync.completeFiles(repoPaths(10).slice(0, 4));
  sync.flush();
  closeTestProgressStore(opened.store);
  return opened.store.path;
}

/** Through a second connection, as a person with sqlite3 would: new bytes for the list row, and their CRC. */
function editPlannedList(dbPath: string, edit: (paths: string[]) => Buffer) {
  const db = new BetterSqlite3(dbPath);
  try {
    const row = db
      .prepare("SELECT id, data FROM checkpoint_files WHERE kind = 'planned' ORDER BY id LIMIT 1")
      .get() as { id: number; data: Buffer };
    const data = edit(row.data.toString('utf8').split('\0'));
    db.prepare('UPDATE checkpoint_files SET data = ?, checksum = ? WHERE id = ?').run(
      data,
      checksum(data),
      row.id,
    );
  } finally {
    db.close();
  }
}

const replacePending = (bad: string) => (paths: string[]) => {
  paths[7] = bad; // a pending file: one the plan would hand back
  return Buffer.from(paths.join('\0'), 'utf8');
};

describe('a file log whose paths were replaced, CRC and all', () => {
  it.each([
    ['a parent escape', '../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash parent escape', 'a\\..\\..\\x'],
    ['a drive-relative path', 'C:x'],
    ['a UNC path', '\\\\server\\share'],
    ['an empty segment', 'a//b'],
    ['a "." segment', 'src/./x.ts'],
    ['a trailing separator', 'src/'],
  ])('never hands %s back: resume is a full sync naming the damaged log', (_what, bad) => {
    const dbPath = interrupt();
    editPlannedList(dbPath, replacePending(bad));
    const { store } = openTestProgressStore(tmp.path);
    // checkResumable() reads the checkpoint row, not the log (a resume would cost twice):
    // it offers the sync, and never a path of it.
    const info = store.resume.checkResumable();
    expect(info).toMatchObject({ jobId: 'job-1' });
    expect(JSON.stringify(info)).not.toContain(JSON.stringify(bad).slice(1, -1));
    const { plan } = store.resume.resume('job-1');
    expect(plan).toMatchObject({ fullSyncRequired: true, filesToProcess: [], filesToRemove: [] });
    expect(plan.reason).toMatch(
      /^full sync required: file log: a planned row holds a path that breaks the path rules/,
    );
    expect(plan.reason).not.toContain(bad);
  });

  it('refuses bytes that are not UTF-8 (an encoded surrogate), which a lenient decoder would turn into U+FFFD', () => {
    const dbPath = interrupt();
    editPlannedList(dbPath, (paths) => {
      const bytes = Buffer.from(paths.join('\0'), 'utf8');
      const at = bytes.indexOf('file-7');
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xed, 0xa0, 0x80]), bytes.subarray(at)]);
    });
    const { store } = openTestProgressStore(tmp.path);
    const { plan } = store.resume.resume('job-1');
    expect(plan).toMatchObject({ fullSyncRequired: true, filesToProcess: [] });
    // Said once: the error adds its own "file log: " (a doubled prefix was shown to people).
    expect(plan.reason).toBe('full sync required: file log: a planned row is not valid UTF-8');
  });

  it('still resumes a log whose paths are odd but valid (dots, backslashes, colons inside names)', () => {
    const dbPath = interrupt();
    const odd = ['.gitignore', 'src/..hidden', 'x..y/z.', 'docs/c:d.md', 'a\\.\\b.txt', 'é/😀...'];
    editPlannedList(dbPath, (paths) => Buffer.from([...paths.slice(0, 4), ...odd].join('\0'), 'utf8'));
    const { store } = openTestProgressStore(tmp.path);
    const { plan } = store.resume.resume('job-1');
    expect(plan).toMatchObject({ fullSyncRequired: false, reason: null, filesToProcess: odd });
  });
});

/** The first list row's bytes changed in place, its CRC left as it was (damage, not an edit). */
function damagePlannedList(dbPath: string) {
  const db = new BetterSqlite3(dbPath);
  try {
    db.prepare(
      "UPDATE checkpoint_files SET data = CAST('x' || substr(data, 2) AS BLOB) WHERE id = (SELECT min(id) FROM checkpoint_files WHERE kind = 'planned')",
    ).run();
  } finally {
    db.close();
  }
}

describe('a damaged list row whose files were all finished', () => {
  /** A sync whose first list row is all completed, interrupted; `damage` then edits the file. */
  function finishedRowDamaged(damage: (dbPath: string) => void) {
    const opened = openTestProgressStore(tmp.path);
    const files = repoPaths(PATHS_PER_ROW + 10);
    const sync = opened.store.recording.startSync({
      jobId: 'job-1',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files,
    });
    sync.completeFiles(files.slice(0, PATHS_PER_ROW)); // the first list row: all completed
    sync.flush();
    closeTestProgressStore(opened.store);
    damage(opened.store.path);
    return files;
  }

  // None of the row's paths is handed out, so the resume does not read it: it is read,
  // checked and split when its paths are first needed.
  const DAMAGES: [string, (dbPath: string) => void, string][] = [
    [
      'bytes that are not UTF-8',
      (dbPath) =>
        editPlannedList(dbPath, (paths) =>
          Buffer.concat([Buffer.from(paths.join('\0'), 'utf8'), Buffer.from([0xc0, 0xaf])]),
        ),
      'a planned row is not valid UTF-8',
    ],
    ['bytes changed under the CRC', damagePlannedList, 'a planned row does not match its checksum'],
    [
      'a path that breaks the rules, CRC and all',
      (dbPath) => editPlannedList(dbPath, replacePending('../../etc/passwd')),
      'a planned row holds a path that breaks the path rules (path 7 ',
    ],
  ];

  it.each(DAMAGES)(
    'with %s: a merge needs its paths, and makes the resume a full sync',
    (_what, damage, reason) => {
      finishedRowDamaged(damage);
      const { store } = openTestProgressStore(tmp.path);
      const { plan } = store.resume.resume('job-1', { changes: [{ status: 'M', path: 'src/new.ts' }] });
      expect(plan).toMatchObject({ fullSyncRequired: true, filesToProcess: [] });
      expect(plan.reason!.startsWith(`full sync required: file log: ${reason}`)).toBe(true);
    },
  );

  it.each(DAMAGES)(
    'with %s: without a merge the sync goes on, and the row is left out and told when needed',
    (_what, damage, reason) => {
      const files = finishedRowDamaged(damage);
      const { store, warnings } = openTestProgressStore(tmp.path);
      const { plan, sync: next } = store.resume.resume('job-1');
      expect(plan).toMatchObject({ fullSyncRequired: false, filesToProcess: files.slice(PATHS_PER_ROW) });
      next.completeFiles([files[PATHS_PER_ROW]!]); // handed out: no index of the whole plan
      expect(warnings).toEqual([]);
      // A file finished before the resume: only the whole index knows it, and the damaged row is left out of it.
      expect(() => next.completeFiles([files[3]!])).not.toThrow();
      expect(warnings).toEqual([
        expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining(`file log: ${reason}`) }),
      ]);
      expect(() => next.completeFiles([files[4]!, files[PATHS_PER_ROW + 1]!])).not.toThrow();
      expect(warnings).toHaveLength(1);
      next.finish();
    },
  );
});

describe('a list row whose path count was damaged', () => {
  it.each([
    ['a count past 2^32', 2 ** 33],
    ['a count past what a typed array holds', 2 ** 40],
    ['more paths than its bytes can hold', 10_000],
    ['a fraction of a path', 9.5],
  ])('makes the resume a full sync naming the row, not an error (%s)', (_what, count) => {
    const dbPath = interrupt();
    const db = new BetterSqlite3(dbPath);
    try {
      // The count is not covered by the row's CRC (that is the data's): a flipped bit passes it.
      db.prepare("UPDATE checkpoint_files SET item_count = ? WHERE kind = 'planned'").run(count);
    } finally {
      db.close();
    }
    const { store } = openTestProgressStore(tmp.path);
    const { plan } = store.resume.resume('job-1');
    expect(plan).toMatchObject({ fullSyncRequired: true, filesToProcess: [], filesToRemove: [] });
    expect(plan.reason).toBe(
      `full sync required: file log: a planned row says it holds ${count} paths in ${Buffer.byteLength(repoPaths(10).join('\0'))} bytes`,
    );
  });
});
