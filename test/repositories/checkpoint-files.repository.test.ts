import { CheckpointFilesRepository, PATHS_PER_ROW } from '../../src/repositories/checkpoint-files.repository';
import {
  decodeOrdinalRuns,
  decodeOrdinals,
  decodePathText,
  encodeOrdinals,
  InconsistentFileLogError,
} from '../../src/repositories/file-log-codec';
import { joinCheckedPaths } from '../../src/validation/path-list';
import { openTestStore } from '../support/store';
import { useTempDir } from '../support/temp-dir';

/** What a stored event holds, decoded: paths for planned rows, ordinals otherwise. */
function decoded(repo: CheckpointFilesRepository, lineageId: string) {
  return repo.list(lineageId).map((e) => {
    if (e.kind === 'planned')
      return { kind: e.kind, first: e.first, paths: decodePathText(e.read()).split('\0') };
    const ordinals: number[] = [];
    decodeOrdinals(e.data, (o) => ordinals.push(o));
    return { kind: e.kind, ordinals };
  });
}

describe('CheckpointFilesRepository', () => {
  const tmp = useTempDir();
  const setup = () => {
    const connection = openTestStore(tmp.join('p.db'));
    return { repo: new CheckpointFilesRepository(connection), sqlite: connection.sqlite };
  };

  it('appends events and lists a lineage’s log oldest first: paths once, then ordinals into them', () => {
    const { repo, sqlite } = setup();
    const odd = ['a.ts', 'src/b.ts', 'c d/é.ts', 'new\nline', '\ttab', '-dash', 'quo"te\'s'];
    repo.append('lin', 'job-1', 0, { kind: 'planned', first: 0, paths: odd });
    repo.append('lin', 'job-1', 1, { kind: 'completed', ordinals: [6, 0, 3, 4] });
    repo.append('lin', 'job-1', 1, { kind: 'skipped', ordinals: [1] });
    // A resumed sync writes into the same lineage under its own job id.
    repo.append('lin', 'job-2', 1, { kind: 'reopened', ordinals: [0] });
    repo.append('lin', 'job-2', 1, { kind: 'removed', ordinals: [2] });

    expect(decoded(repo, 'lin')).toEqual([
      { kind: 'planned', first: 0, paths: odd },
      { kind: 'completed', ordinals: [0, 3, 4, 6] },
      { kind: 'skipped', ordinals: [1] },
      { kind: 'reopened', ordinals: [0] },
      { kind: 'removed', ordinals: [2] },
    ]);
    expect(
      sqlite
        .prepare('SELECT job_id, checkpoint_seq, item_count FROM checkpoint_files ORDER BY id')
        .raw()
        .all(),
    ).toEqual([
      ['job-1', 0, 7],
      ['job-1', 1, 4],
      ['job-1', 1, 1],
      ['job-2', 1, 1],
      ['job-2', 1, 1],
    ]);
  });

  it('packs ordinals finished in plan order into a few bytes', () => {
    const { repo, sqlite } = setup();
    const ordinals = Array.from({ length: 25_000 }, (_, i) => 100_000 + i);
    repo.append('lin', 'j', 1, { kind: 'completed', ordinals });
    expect(sqlite.prepare('SELECT length(data) FROM checkpoint_files').pluck().get()).toBeLessThan(8);
    const back: number[] = [];
    decodeOrdinals((repo.list('lin')[0] as { data: Buffer }).data, (o) => back.push(o));
    expect(back).toEqual(ordinals);
  });

  it('keeps lineages apart', () => {
    const { repo } = setup();
    repo.append('lin-a', 'a', 0, { kind: 'planned', first: 0, paths: ['x'] });
    repo.append('lin-b', 'b', 0, { kind: 'planned', first: 0, paths: ['y'] });
    expect(decoded(repo, 'lin-a')).toEqual([{ kind: 'planned', first: 0, paths: ['x'] }]);
    expect(repo.list('none')).toEqual([]);
  });

  it('writes nothing for an empty batch (item_count must be positive)', () => {
    const { repo, sqlite } = setup();
    repo.append('lin', 'job-1', 1, { kind: 'completed', ordinals: [] });
    repo.append('lin', 'job-1', 1, { kind: 'planned', first: 0, paths: [] });
    expect(sqlite.prepare('SELECT count(*) FROM checkpoint_files').pluck().get()).toBe(0);
  });

  it(`splits a list over ${PATHS_PER_ROW} paths into rows of at most ${PATHS_PER_ROW}, each with its first ordinal`, () => {
    const { repo, sqlite } = setup();
    const paths = Array.from({ length: PATHS_PER_ROW * 2 + 1 }, (_, i) => `src/file-${i}.ts`);
    repo.append('lin', 'job-1', 0, { kind: 'planned', first: 5, paths });

    expect(
      sqlite.prepare('SELECT first_ordinal, item_count FROM checkpoint_files ORDER BY id').raw().all(),
    ).toEqual([
      [5, PATHS_PER_ROW],
      [5 + PATHS_PER_ROW, PATHS_PER_ROW],
      [5 + 2 * PATHS_PER_ROW, 1],
    ]);
    expect(decoded(repo, 'lin').flatMap((e) => ('paths' in e ? e.paths : []))).toEqual(paths);
  });

  it('stores a list handed over joined (as the ledger checked it) byte for byte as the same list unjoined', () => {
    const { repo, sqlite } = setup();
    const paths = Array.from({ length: PATHS_PER_ROW + 3 }, (_, i) => (i % 7 ? `src/é-${i}.ts` : `n\n${i}`));
    const joined = joinCheckedPaths(paths)!;
    repo.append('joined', 'job-1', 0, { kind: 'planned', first: 0, paths, joined });
    repo.append('plain', 'job-1', 0, { kind: 'planned', first: 0, paths });
    const rows = (lineage: string) =>
      sqlite
        .prepare(
          'SELECT first_ordinal, item_count, data, checksum FROM checkpoint_files WHERE lineage_id = ? ORDER BY id',
        )
        .raw()
        .all(lineage);
    expect(rows('joined')).toHaveLength(2);
    expect(rows('joined')).toEqual(rows('plain'));
    expect(decoded(repo, 'joined').flatMap((e) => ('paths' in e ? e.paths : []))).toEqual(paths);
  });

  it('refuses a row that changed since it was written (its checksum), or of an unknown kind', () => {
    const { repo, sqlite } = setup();
    repo.append('lin', 'job-1', 0, { kind: 'planned', first: 0, paths: ['a.ts', 'b.ts'] });
    repo.append('lin', 'job-1', 1, { kind: 'completed', ordinals: [0] });
    const [planned] = repo.list('lin');
    sqlite
      .prepare(
        "UPDATE checkpoint_files SET data = CAST('a.ts' || char(0) || 'c.ts' AS BLOB) WHERE kind = 'planned'",
      )
      .run();
    // A list row is checked as it is read; an ordinal row as the log is listed.
    expect(() => (planned as { read: () => Buffer }).read()).toThrow(
      /planned row does not match its checksum/,
    );
    sqlite.prepare("UPDATE checkpoint_files SET data = x'0001' WHERE kind = 'completed'").run();
    expect(() => repo.list('lin')).toThrow(InconsistentFileLogError);
    sqlite.prepare("DELETE FROM checkpoint_files WHERE kind = 'planned'").run();
    expect(() => (planned as { read: () => Buffer }).read()).toThrow(/planned row is gone/);
    sqlite.prepare('DROP TABLE checkpoint_files').run();
    sqlite
      .prepare(
        'CREATE TABLE checkpoint_files (id INTEGER PRIMARY KEY, lineage_id, job_id, checkpoint_seq, kind, first_ordinal, item_count, data, checksum)',
      )
      .run();
    sqlite.prepare("INSERT INTO checkpoint_files VALUES (1, 'lin', 'j', 0, 'moved', 0, 1, x'00', 0)").run();
    expect(() => new CheckpointFilesRepository({ sqlite } as never).list('lin')).toThrow(
      /unknown event kind/,
    );
  });

  it('deletes a whole lineage, returning the number of rows removed and leaving others', () => {
    const { repo } = setup();
    repo.append('lin-a', 'a', 0, { kind: 'planned', first: 0, paths: ['x'] });
    repo.append('lin-a', 'a', 1, { kind: 'completed', ordinals: [0] });
    repo.append('lin-b', 'b', 0, { kind: 'planned', first: 0, paths: ['y'] });

    expect(repo.deleteLineage('lin-a')).toBe(2);
    expect(repo.deleteLineage('lin-a')).toBe(0);
    expect(repo.list('lin-a')).toEqual([]);
    expect(repo.list('lin-b')).toHaveLength(1);
  });
});

describe('decodeOrdinalRuns', () => {
  it('hands over each run of consecutive ordinals once, with the same count as decodeOrdinals', () => {
    const data = encodeOrdinals([9, 1, 2, 3, 7, 12, 11, 10]);
    const runs: [number, number][] = [];
    expect(decodeOrdinalRuns(data, (start, length) => runs.push([start, length]))).toBe(8);
    expect(runs).toEqual([
      [1, 3],
      [7, 1],
      [9, 4],
    ]);
    expect(() => decodeOrdinalRuns(Buffer.from([0x02]), () => undefined)).toThrow(InconsistentFileLogError);
  });
});

describe('decodeOrdinals on damaged bytes', () => {
  const decode = (bytes: number[]) => decodeOrdinals(Buffer.from(bytes), () => undefined);

  it('reads 0x80 as a byte that goes on, so a list ending there is truncated', () => {
    // gap 0 written in two bytes (0x80 0x00), then no length: truncated, not ordinal 0.
    expect(() => decode([0x80, 0x00])).toThrow('an ordinal list is truncated');
    expect(() => decode([0x81])).toThrow('an ordinal list is truncated');
  });

  it('refuses an ordinal longer than any plan, rather than reading on', () => {
    expect(() => decode([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00])).toThrow(
      'an ordinal is out of range',
    );
  });

  it('refuses two runs that adjoin, which the encoder never writes', () => {
    expect(() => decode([0x01, 0x00, 0x00, 0x00])).toThrow('an ordinal list has adjoining runs');
    expect(decode([0x01, 0x00, 0x01, 0x00])).toBe(2);
  });
});

describe('encodeOrdinals', () => {
  it('round-trips gaps and run lengths at the one-byte boundary (127, 128) and past it', () => {
    const ordinals = [127, 256, 257, 16_384 + 256, ...Array.from({ length: 129 }, (_, i) => 40_000 + i)];
    const back: number[] = [];
    expect(decodeOrdinals(encodeOrdinals(ordinals), (o) => back.push(o))).toBe(ordinals.length);
    expect(back).toEqual(ordinals);
  });
});
