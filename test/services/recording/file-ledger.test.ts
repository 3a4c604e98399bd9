import { CorruptDatabaseError, ValidationError } from '../../../src/errors';
import type { FileEvent, StoredFileEvent } from '../../../src/repositories/checkpoint-files.repository';
import { encodeOrdinals, encodePaths } from '../../../src/repositories/file-log-codec';
import { FileLedger } from '../../../src/services/recording/file-ledger';
import { pathList } from '../../../src/services/recording/recording-input';
import { InconsistentFileLogError } from '../../../src/untrusted-checkpoint';
import * as pathListModule from '../../../src/validation/path-list';
import { stored } from '../../support/stored-file-log';

describe('FileLedger', () => {
  it('tracks planned, completed and skipped files with counts', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b', 'c', 'd']);
    ledger.finish('completed', ['a', 'b']);
    ledger.finish('skipped', ['c']);
    expect(ledger.counts()).toEqual({ pending: 1, completed: 2, skipped: 1 });
    expect(ledger.pathsIn('pending')).toEqual(['d']);
    expect(ledger.pathsIn('completed')).toEqual(['a', 'b']);
    expect(ledger.size).toBe(4);
  });

  it('adds a completed path that was never planned to the plan first', () => {
    const ledger = new FileLedger();
    ledger.finish('completed', ['x']);
    expect(ledger.unsavedEvents()).toMatchObject([
      { kind: 'planned', first: 0, paths: ['x'] },
      { kind: 'completed', ordinals: [0] },
    ]);
  });

  it('rejects a bad path among finished ones, naming it, and changes nothing', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b']);
    ledger.finish('completed', ['a']);
    const before = ledger.counts();
    expect(() => ledger.finish('completed', ['b', 'a', '../up'])).toThrow(ValidationError);
    try {
      ledger.finish('skipped', ['b', '/abs']);
    } catch (error) {
      expect((error as ValidationError).issues[0]).toMatchObject({ path: 'paths.1' });
    }
    expect(ledger.counts()).toEqual(before);
    expect(ledger.stateOf('b')).toBe('pending');
  });

  it('rejects planning a known path', () => {
    const ledger = new FileLedger();
    ledger.plan(['a']);
    expect(() => ledger.plan(['a'], 'files')).toThrow(/files\.0/);
  });

  it('keeps unsaved events in the order they happened and forgets them once saved', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b']);
    ledger.finish('completed', ['a']);
    ledger.finish('completed', ['b']);
    ledger.remove(['a']);
    ledger.plan(['a']);
    expect(ledger.unsavedEvents()).toMatchObject([
      { kind: 'planned', first: 0, paths: ['a', 'b'] },
      { kind: 'completed', ordinals: [0, 1] },
      { kind: 'removed', ordinals: [0] },
      // A removed path planned again takes a new place at the end of the list.
      { kind: 'planned', first: 2, paths: ['a'] },
    ]);
    ledger.markSaved();
    expect(ledger.hasUnsaved()).toBe(false);
  });

  it('replays its own log into the same state', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b', 'c']);
    ledger.finish('completed', ['a', 'b']);
    ledger.finish('skipped', ['c']);
    ledger.reopen(['b', 'c', 'unknown']);
    ledger.remove(['a', 'unknown']);
    ledger.plan(['d\nnew line', '\ttab', '-dash']);
    ledger.finish('skipped', ['\ttab']);
    const replayed = FileLedger.load(stored(ledger.unsavedEvents()));
    expect(replayed.counts()).toEqual(ledger.counts());
    expect(replayed.pathsIn('pending')).toEqual(['b', 'c', 'd\nnew line', '-dash']);
    expect(replayed.pathsIn('skipped')).toEqual(['\ttab']);
    expect(replayed.stateOf('a')).toBeUndefined();
    expect(replayed.stateOf('-dash')).toBe('pending');
    expect(replayed.size).toBe(5);
    // It carries on from where the log ends.
    replayed.finish('completed', ['b', 'e']);
    expect(replayed.unsavedEvents()).toEqual([
      { kind: 'planned', first: 6, paths: ['e'] },
      { kind: 'completed', ordinals: [1, 6] },
    ]);
  });

  const planned = (first: number, paths: string[]): FileEvent => ({ kind: 'planned', first, paths });
  it.each([
    ['completing an unplanned ordinal', [planned(0, ['a']), { kind: 'completed', ordinals: [1] }]],
    [
      'completing a completed ordinal',
      [planned(0, ['a']), { kind: 'completed', ordinals: [0] }, { kind: 'completed', ordinals: [0] }],
    ],
    ['a list that does not continue the one before', [planned(0, ['a']), planned(0, ['b'])]],
    ['reopening a pending ordinal', [planned(0, ['a']), { kind: 'reopened', ordinals: [0] }]],
    [
      'removing a removed ordinal',
      [planned(0, ['a']), { kind: 'removed', ordinals: [0] }, { kind: 'removed', ordinals: [0] }],
    ],
  ] as [string, FileEvent[]][])('refuses to trust a log that contradicts itself: %s', (_name, events) => {
    expect(() => FileLedger.load(stored(events))).toThrow(InconsistentFileLogError);
  });

  it.each([
    [
      'more paths than the row says',
      { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a', 'b']) },
    ],
    [
      'fewer paths than the row says',
      { kind: 'planned', first: 0, count: 3, read: () => encodePaths(['a', 'b']) },
    ],
    ['an empty path', { kind: 'planned', first: 0, count: 2, read: () => Buffer.from('a\0\0') }],
    ['an over-long path', { kind: 'planned', first: 0, count: 1, read: () => Buffer.from('x'.repeat(5000)) }],
    [
      'fewer ordinals than the row says',
      { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a']) },
      { kind: 'removed', count: 2, data: encodeOrdinals([0]) },
    ],
    [
      'a truncated ordinal list',
      { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a']) },
      { kind: 'removed', count: 1, data: Buffer.from([0x80]) },
    ],
    [
      'adjoining runs',
      { kind: 'planned', first: 0, count: 3, read: () => encodePaths(['a', 'b', 'c']) },
      { kind: 'removed', count: 2, data: Buffer.from([0, 0, 0, 0]) },
    ],
    [
      'an ordinal past any range',
      { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a']) },
      { kind: 'removed', count: 1, data: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0]) },
    ],
  ] as [string, ...StoredFileEvent[]][])(
    'refuses rows that do not read back as written: %s',
    (_name, ...events) => {
      // A list row is decoded when one of its paths is first needed.
      expect(() => FileLedger.load(events).pathsIn('pending')).toThrow(InconsistentFileLogError);
    },
  );

  it('decodes only the list rows that hold paths it is asked for', () => {
    const events = stored([
      { kind: 'planned', first: 0, paths: ['a', 'b'] },
      { kind: 'planned', first: 2, paths: ['c'] },
      { kind: 'completed', ordinals: [0, 1] },
    ]);
    events[0] = { kind: 'planned', first: 0, count: 2, read: () => Buffer.from('damaged\0\0') };
    const told: InconsistentFileLogError[] = [];
    const ledger = FileLedger.load(events, (problem) => told.push(problem));
    expect(ledger.pathsIn('pending')).toEqual(['c']);
    expect(() => ledger.pathsIn('completed')).toThrow(InconsistentFileLogError);
    // Found when the index is built (the first lookup): its files, all finished, are left
    // out of the index and told once; nothing is thrown into the caller's loop.
    expect(ledger.stateOf('c')).toBe('pending');
    expect(ledger.stateOf('a')).toBeUndefined();
    expect(told).toEqual([expect.any(InconsistentFileLogError)]);
    expect(told[0]!.message).toMatch(
      /^file log: a planned row holds a path that breaks the path rules \(path 1 /,
    );
    expect(ledger.counts()).toEqual({ pending: 1, completed: 2, skipped: 0 });
  });

  it('cannot leave out a damaged row holding files not finished: a typed error', () => {
    const events = stored([
      { kind: 'planned', first: 0, paths: ['a', 'b'] },
      { kind: 'completed', ordinals: [0] },
    ]);
    events[0] = { kind: 'planned', first: 0, count: 2, read: () => Buffer.from('damaged\0\0') };
    const ledger = FileLedger.load(events);
    expect(() => ledger.stateOf('b')).toThrow(CorruptDatabaseError);
    expect(() => ledger.stateOf('b')).toThrow(
      expect.objectContaining({ cause: expect.any(InconsistentFileLogError) }),
    );
  });

  it('verifyStored reads every list row not read yet, once, and refuses a path that breaks the rules', () => {
    let reads = 0;
    const events = stored([
      { kind: 'planned', first: 0, paths: ['a', 'b'] },
      { kind: 'planned', first: 2, paths: ['c'] },
      { kind: 'completed', ordinals: [0, 1] },
    ]);
    const first = events[0] as { read: () => Buffer };
    const read = first.read;
    first.read = () => (reads++, read());
    const ledger = FileLedger.load(events);
    ledger.pathsIn('completed'); // reads the first row
    ledger.verifyStored(); // reads the second only
    ledger.verifyStored();
    ledger.plan(['d']); // a segment of the caller's own strings: nothing to read
    ledger.verifyStored();
    expect(reads).toBe(1);
    expect(ledger.pathsIn('pending')).toEqual(['c', 'd']);

    events[1] = { kind: 'planned', first: 2, count: 1, read: () => encodePaths(['../etc/passwd']) };
    expect(() => FileLedger.load(events).verifyStored()).toThrow(
      /planned row holds a path that breaks the path rules \(path 0 must not contain "\.\." segments/,
    );
  });

  it('gives back the paths of a row checked on its bytes and decoded only later, ASCII or not', () => {
    const finished = ['é/x.ts', 'b', '😀/c\nd', 'e'];
    const events = stored([
      { kind: 'planned', first: 0, paths: finished },
      { kind: 'planned', first: 4, paths: ['ü/f', 'g'] },
      { kind: 'completed', ordinals: [0, 1, 2, 3] },
    ]);
    const ledger = FileLedger.load(events);
    ledger.verifyStored(); // the first row is checked, not decoded; the second, holding pending files, is decoded
    expect(ledger.pathsIn('pending')).toEqual(['ü/f', 'g']);
    expect(ledger.pathsIn('completed')).toEqual(finished);
    expect(ledger.stateOf('😀/c\nd')).toBe('completed');
    expect(ledger.stateOf('e')).toBe('completed');
  });

  it('lists the paths in a state across segments where some hold none of it, in plan order', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b']);
    ledger.plan(['c', 'd']);
    ledger.plan(['e', 'f']);
    ledger.finish('completed', ['c', 'd', 'f']);
    ledger.finish('skipped', ['a']);
    expect(ledger.pathsIn('pending')).toEqual(['b', 'e']);
    expect(ledger.pathsIn('completed')).toEqual(['c', 'd', 'f']);
    expect(ledger.pathsIn('skipped')).toEqual(['a']);
    ledger.remove(['b']);
    expect(ledger.pathsIn('pending')).toEqual(['e']);
  });

  it('rejects non-string paths, bad paths and paths named twice in one call, changing nothing', () => {
    const ledger = new FileLedger();
    expect(() => ledger.plan(['a', 7])).toThrow(/paths\.1: must be a string/);
    expect(() => ledger.plan(['a', '/abs'])).toThrow(/paths\.1/);
    expect(() => ledger.plan(['a', 'b', 'a'])).toThrow(/paths\.2: duplicate path/);
    expect(() => ledger.finish('completed', [null])).toThrow(/must be a string/);
    expect(() => ledger.finish('completed', ['../up'])).toThrow(/paths\.0/);
    expect(ledger.size).toBe(0);
    expect(ledger.hasUnsaved()).toBe(false);
    ledger.plan(['a']);
    expect(ledger.pathsIn('pending')).toEqual(['a']);
  });

  it('passes over a path finished again or named twice in one call, and says how many', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b']);
    expect(ledger.finish('completed', ['a', 'a'])).toBe(1);
    expect(ledger.finish('skipped', ['b', 'a'])).toBe(1);
    expect(ledger.finish('completed', ['x', 'x'])).toBe(1);
    expect(ledger.counts()).toEqual({ pending: 0, completed: 2, skipped: 1 });
  });

  it('names a repeat within a later plan, stops at 20 issues, and plans nothing for an empty list', () => {
    const ledger = new FileLedger();
    ledger.plan(['a']);
    expect(() => ledger.plan(['b', 'b'])).toThrow(/paths\.1: duplicate path "b"/);
    let error: ValidationError | undefined;
    try {
      ledger.plan(Array.from({ length: 30 }, () => '/abs'));
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.issues).toHaveLength(20);
    ledger.plan([]);
    expect(ledger.pathsIn('pending')).toEqual(['a']);
    expect(ledger.unsavedEvents()).toMatchObject([{ kind: 'planned', first: 0, paths: ['a'] }]);
    // An empty plan after a checkpoint leaves nothing to save: no empty event, no write.
    ledger.markSaved();
    ledger.plan([]);
    expect(ledger.hasUnsaved()).toBe(false);
    expect(() => pathList('a.ts', 'completeFiles')).toThrow(/completeFiles: must be an array of paths/);
  });

  it('ignores reopening or removing what it does not hold', () => {
    const ledger = new FileLedger();
    ledger.plan(['a']);
    ledger.reopen(['a', 'zz']);
    ledger.remove(['zz']);
    expect(ledger.unsavedEvents()).toMatchObject([{ kind: 'planned', first: 0, paths: ['a'] }]);
  });

  it('keeps two large plans before a checkpoint as one event (no argument-count limit)', () => {
    const ledger = new FileLedger();
    const paths = Array.from({ length: 300_000 }, (_, i) => `f${i}`);
    ledger.plan(paths.slice(0, 150_000));
    ledger.plan(paths.slice(150_000));
    expect(ledger.unsavedEvents()).toHaveLength(1);
    expect(ledger.unsavedEvents()[0]).toMatchObject({ kind: 'planned', first: 0 });
    expect((ledger.unsavedEvents()[0] as unknown as { paths: string[] }).paths).toEqual(paths);
  });

  it('keeps a new list joined as checked, for the checkpoint to store as it is; a second plan joins again later', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b\nc', 'd']);
    const [event] = ledger.unsavedEvents() as [Extract<FileEvent, { kind: 'planned' }>];
    expect(event.joined?.bytes.toString()).toBe('a\0b\nc\0d');
    expect(Array.from(event.joined!.starts)).toEqual([0, 2, 6, 8]);
    ledger.plan(['e']);
    expect(ledger.unsavedEvents()).toEqual([{ kind: 'planned', first: 0, paths: ['a', 'b\nc', 'd', 'e'] }]);
    ledger.markSaved();
    ledger.remove(['a', 'b\nc', 'd', 'e']);
    // Everything removed: the index is empty again, and a list planned now is joined too.
    ledger.plan(['a']);
    expect(ledger.unsavedEvents()[1]).toMatchObject({
      kind: 'planned',
      first: 4,
      joined: { bytes: Buffer.from('a') },
    });
  });

  it('refuses a repeat in a new list after the one-pass check, as the path-by-path check does', () => {
    const ledger = new FileLedger();
    expect(() => ledger.plan(['a', 'b', 'a', 'c', 'c'], 'files')).toThrow(
      expect.objectContaining({ issues: [{ path: 'files.2', message: 'duplicate path "a"' }] }),
    );
    expect(ledger.size).toBe(0);
    expect(ledger.stateOf('b')).toBeUndefined();
    ledger.plan(['b', 'a']);
    expect(ledger.pathsIn('pending')).toEqual(['b', 'a']);
  });

  it('in an empty plan, looks for repeats only up to the first refusal (a later plan names every repeat)', () => {
    const refusal = (ledger: FileLedger) => {
      try {
        ledger.plan(['a', '/abs', 'a']);
      } catch (e) {
        return (e as ValidationError).issues.map((issue) => issue.path);
      }
      return [];
    };
    expect(refusal(new FileLedger())).toEqual(['paths.1']);
    const planned = new FileLedger();
    planned.plan(['x']);
    expect(refusal(planned)).toEqual(['paths.1', 'paths.2']);
  });

  it('plans a list too long to join in one piece path by path, each path at its own place', () => {
    // The real bound is 2^28 characters; a list that long is no test to run per change.
    const realJoin = pathListModule.joinCheckedPaths;
    const join = jest
      .spyOn(pathListModule, 'joinCheckedPaths')
      .mockImplementation((paths) => realJoin(paths, 3));
    try {
      const ledger = new FileLedger();
      ledger.plan(['a', 'b', 'c']);
      ledger.finish('completed', ['b']);
      expect(ledger.pathsIn('pending')).toEqual(['a', 'c']);
      expect(ledger.stateOf('c')).toBe('pending');
      expect(ledger.unsavedEvents()).toMatchObject([
        { kind: 'planned', first: 0, paths: ['a', 'b', 'c'] },
        { kind: 'completed', ordinals: [1] },
      ]);
    } finally {
      join.mockRestore();
    }
  });

  it('after refusing a later plan, holds exactly what it held before: the paths before the refusal can be planned again', () => {
    const ledger = new FileLedger();
    ledger.plan(['x']);
    expect(() => ledger.plan(['a', '/abs', 'b'])).toThrow(ValidationError);
    expect(() => ledger.plan(['c', 'x'])).toThrow(/paths\.1: "x" is already pending/);
    expect(ledger.stateOf('x')).toBe('pending');
    expect(ledger.stateOf('b')).toBeUndefined();
    ledger.plan(['a', 'b', 'c']);
    expect(ledger.pathsIn('pending')).toEqual(['x', 'a', 'b', 'c']);
  });

  it('says a refused list is a file list, whether planned or finished', () => {
    const ledger = new FileLedger();
    expect(() => ledger.plan(['/abs'])).toThrow(/^file list: paths\.0: /);
    expect(() => ledger.finish('completed', ['a', 42])).toThrow(/^file list: paths\.1: must be a string$/);
  });

  it('builds the index of a loaded log from the paths still planned, and only those', () => {
    const ledger = FileLedger.load(
      stored([
        { kind: 'planned', first: 0, paths: ['a', 'b'] },
        { kind: 'planned', first: 2, paths: ['c'] },
        { kind: 'removed', ordinals: [0] },
      ]),
    );
    ledger.plan(['a']); // removed before: planned again, at a new place
    expect(ledger.pathsIn('pending')).toEqual(['b', 'c', 'a']);
    ledger.remove(['b', 'c', 'a']);
    // Nothing left in the index: a list planned now is joined in one piece, as into a new plan.
    ledger.plan(['d']);
    expect(ledger.unsavedEvents().at(-1)).toMatchObject({
      kind: 'planned',
      first: 4,
      joined: { bytes: Buffer.from('d') },
    });
  });

  it("keeps its own copy of a planned list: the caller's array changed afterwards changes nothing", () => {
    const ledger = new FileLedger();
    const list = ['a', 'b'];
    ledger.plan(list);
    list[0] = 'z';
    expect(ledger.pathsIn('pending')).toEqual(['a', 'b']);
    expect(ledger.stateOf('a')).toBe('pending');
  });

  it('says what does not add up in a log that does not load: where a list row starts, how many ordinals a row holds', () => {
    const a = { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a']) } as const;
    expect(() => FileLedger.load([a, { ...a, first: 2 }])).toThrow(
      'a planned row starts at ordinal 2, not 1',
    );
    expect(() => FileLedger.load([a, { kind: 'removed', count: 2, data: encodeOrdinals([0]) }])).toThrow(
      'a removed row holds 1 ordinals, not 2',
    );
  });

  it('stops at 20 issues in a finished list too, and names a removed ordinal a row moves as removed', () => {
    const ledger = new FileLedger();
    let error: ValidationError | undefined;
    try {
      ledger.finish(
        'completed',
        Array.from({ length: 30 }, (_, i) => `/abs-${i}`),
      );
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.issues).toHaveLength(20);
    const a = { kind: 'planned', first: 0, count: 1, read: () => encodePaths(['a']) } as const;
    const removed = { kind: 'removed', count: 1, data: encodeOrdinals([0]) } as const;
    expect(() =>
      FileLedger.load([a, removed, { kind: 'completed', count: 1, data: encodeOrdinals([0]) }]),
    ).toThrow('completed ordinal 0 was removed');
  });

  it('replays a run of ordinals at once, naming the first one the run may not move', () => {
    const events: FileEvent[] = [
      planned(0, ['a', 'b', 'c', 'd']),
      { kind: 'completed', ordinals: [0, 1, 2] },
      { kind: 'reopened', ordinals: [1] },
      { kind: 'skipped', ordinals: [1, 3] },
      { kind: 'removed', ordinals: [0, 1, 2, 3] },
    ];
    expect(FileLedger.load(stored(events.slice(0, 4))).counts()).toEqual({
      pending: 0,
      completed: 2,
      skipped: 2,
    });
    expect(FileLedger.load(stored(events)).counts()).toEqual({ pending: 0, completed: 0, skipped: 0 });
    expect(() =>
      FileLedger.load(stored([events[0]!, { kind: 'completed', ordinals: [2, 3, 4, 5] }])),
    ).toThrow('completed ordinal 4 was never planned');
    expect(() =>
      FileLedger.load(stored([...events.slice(0, 2), { kind: 'skipped', ordinals: [3, 2] }])),
    ).toThrow('skipped ordinal 2 was completed');
  });

  it('grows past its first allocation', () => {
    const ledger = new FileLedger();
    const paths = Array.from({ length: 5000 }, (_, i) => `f${i}`);
    for (let i = 0; i < paths.length; i += 1000) ledger.plan(paths.slice(i, i + 1000));
    ledger.finish('completed', paths.slice(4000));
    const loaded = FileLedger.load(stored(ledger.unsavedEvents()));
    expect(loaded.counts()).toEqual({ pending: 4000, completed: 1000, skipped: 0 });
    expect(loaded.pathsIn('completed')).toEqual(paths.slice(4000));
  });
});
