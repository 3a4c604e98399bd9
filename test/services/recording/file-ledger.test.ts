import { ValidationError } from '../../../src/errors';
import { FileLedger, InconsistentFileLogError } from '../../../src/services/recording/file-ledger';

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
    expect(ledger.unsavedEvents()).toEqual([
      { kind: 'planned', paths: ['x'] },
      { kind: 'completed', paths: ['x'] },
    ]);
  });

  it('rejects a path finished twice, naming it, and changes nothing', () => {
    const ledger = new FileLedger();
    ledger.plan(['a', 'b']);
    ledger.finish('completed', ['a']);
    const before = ledger.counts();
    expect(() => ledger.finish('completed', ['b', 'a'])).toThrow(ValidationError);
    try {
      ledger.finish('skipped', ['b', 'a']);
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
    expect(ledger.unsavedEvents()).toEqual([
      { kind: 'planned', paths: ['a', 'b'] },
      { kind: 'completed', paths: ['a', 'b'] },
      { kind: 'removed', paths: ['a'] },
      { kind: 'planned', paths: ['a'] },
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
    const events = ledger.unsavedEvents().map((e) => ({ ...e, jobId: 'j', checkpointSeq: 1 }));
    const replayed = FileLedger.replay(events);
    expect(replayed.counts()).toEqual(ledger.counts());
    expect(replayed.pathsIn('pending').sort()).toEqual(['b', 'c']);
    expect(replayed.stateOf('a')).toBeUndefined();
  });

  it.each([
    ['completing an unplanned path', [{ kind: 'completed' as const, paths: ['a'] }]],
    ['planning a path twice', [{ kind: 'planned' as const, paths: ['a'] }, { kind: 'planned' as const, paths: ['a'] }]],
    ['reopening a pending path', [{ kind: 'planned' as const, paths: ['a'] }, { kind: 'reopened' as const, paths: ['a'] }]],
    ['removing an unknown path', [{ kind: 'removed' as const, paths: ['a'] }]],
  ])('refuses to trust a log that contradicts itself: %s', (_name, events) => {
    expect(() => FileLedger.replay(events.map((e) => ({ ...e, jobId: 'j', checkpointSeq: 0 })))).toThrow(
      InconsistentFileLogError,
    );
  });
});
