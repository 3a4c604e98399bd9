import { convertLegacyFileLog, LEGACY_FILE_LOG_TABLE } from '../../src/db/legacy-file-log';
import { CheckpointFilesRepository } from '../../src/repositories/checkpoint-files.repository';
import { FileLedger } from '../../src/services/recording/file-ledger';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** Release 0.1's table, as migration 0002 leaves it after moving it aside. */
const LEGACY_DDL = `CREATE TABLE ${LEGACY_FILE_LOG_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, lineage_id TEXT NOT NULL,
  job_id TEXT NOT NULL, checkpoint_seq INTEGER NOT NULL, kind TEXT NOT NULL, path_count INTEGER NOT NULL, paths TEXT NOT NULL)`;

describe('converting a 0.1 file log', () => {
  const tmp = useTempDir();

  function withLegacy(rows: [string, string, string[]][]) {
    const connection = openTestStore(tmp.join('p.db'));
    const { sqlite } = connection;
    sqlite.exec(LEGACY_DDL);
    const insert = sqlite.prepare(
      `INSERT INTO ${LEGACY_FILE_LOG_TABLE} (lineage_id, job_id, checkpoint_seq, kind, path_count, paths) VALUES (?, 'j', 0, ?, ?, ?)`,
    );
    for (const [lineage, kind, paths] of rows) insert.run(lineage, kind, paths.length, paths.join('\n'));
    return { sqlite, repo: new CheckpointFilesRepository(connection) };
  }

  it('does nothing when there is no 0.1 table', () => {
    const { sqlite } = openTestStore(tmp.join('p.db'));
    expect(convertLegacyFileLog(sqlite)).toBeNull();
  });

  it('replays each lineage as 0.1 did, giving a removed path planned again a new place', () => {
    const { sqlite, repo } = withLegacy([
      ['good', 'planned', ['a', 'b', 'c']],
      ['good', 'completed', ['a', 'b']],
      ['good', 'skipped', ['c']],
      ['good', 'reopened', ['b']],
      ['good', 'removed', ['a']],
      ['good', 'planned', ['a']],
    ]);
    expect(convertLegacyFileLog(sqlite)).toEqual({ lineages: 1, dropped: [] });
    const ledger = FileLedger.load(repo.list('good'));
    expect(ledger.pathsIn('pending')).toEqual(['b', 'a']);
    expect(ledger.pathsIn('skipped')).toEqual(['c']);
    expect(
      sqlite.prepare('SELECT count(*) FROM sqlite_master WHERE name = ?').pluck().get(LEGACY_FILE_LOG_TABLE),
    ).toBe(0);
  });

  it('reopens a skipped path as well as a completed one', () => {
    const { sqlite, repo } = withLegacy([
      ['good', 'planned', ['a', 'b']],
      ['good', 'completed', ['a']],
      ['good', 'skipped', ['b']],
      ['good', 'reopened', ['b', 'a']],
    ]);
    expect(convertLegacyFileLog(sqlite)).toEqual({ lineages: 1, dropped: [] });
    expect(FileLedger.load(repo.list('good')).pathsIn('pending')).toEqual(['a', 'b']);
  });

  it.each([
    [
      'a path planned twice',
      [
        ['planned', ['a']],
        ['planned', ['a']],
      ],
    ],
    ['a path that breaks the path rules', [['planned', ['../up']]]],
    [
      'completing an unplanned path',
      [
        ['planned', ['a']],
        ['completed', ['b']],
      ],
    ],
    [
      'completing a path twice',
      [
        ['planned', ['a']],
        ['completed', ['a']],
        ['completed', ['a']],
      ],
    ],
    [
      'reopening a pending path',
      [
        ['planned', ['a']],
        ['reopened', ['a']],
      ],
    ],
    [
      'naming a path twice in one event',
      [
        ['planned', ['a']],
        ['removed', ['a', 'a']],
      ],
    ],
    [
      'completing a path twice in one event',
      [
        ['planned', ['a']],
        ['completed', ['a', 'a']],
      ],
    ],
    [
      'reopening a path twice in one event',
      [
        ['planned', ['a']],
        ['skipped', ['a']],
        ['reopened', ['a', 'a']],
      ],
    ],
    [
      'an unknown event kind',
      [
        ['planned', ['a']],
        ['renamed', ['a']],
      ],
    ],
  ] as [string, [string, string[]][]][])(
    'leaves out a lineage whose log does not replay (%s), keeping the others',
    (_name, events) => {
      const { sqlite, repo } = withLegacy([
        ['ok', 'planned', ['x']],
        ...events.map(([kind, paths]) => ['bad', kind, paths] as [string, string, string[]]),
      ]);
      expect(convertLegacyFileLog(sqlite)).toEqual({ lineages: 2, dropped: ['bad'] });
      expect(repo.list('bad')).toEqual([]);
      expect(FileLedger.load(repo.list('ok')).pathsIn('pending')).toEqual(['x']);
    },
  );
});
