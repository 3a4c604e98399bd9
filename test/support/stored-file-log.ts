import type { FileEvent, StoredFileEvent } from '../../src/repositories/checkpoint-files.repository';
import { encodeOrdinals, encodePaths } from '../../src/repositories/file-log-codec';

/** A ledger's unsaved events as the repository would read them back after writing them. */
export function stored(events: readonly FileEvent[]): StoredFileEvent[] {
  return events.map((e) =>
    e.kind === 'planned'
      ? { kind: 'planned', first: e.first, count: e.paths.length, read: () => encodePaths(e.paths) }
      : { kind: e.kind, count: e.ordinals.length, data: encodeOrdinals(e.ordinals) },
  );
}

/**
 * Paths for property tests of lookups in the file log: some share a length in bytes and not
 * in characters, or the reverse (`src/é.ts` and `src/e.ts`, `aé.ts` and `abc.ts`), in
 * several scripts, so that a lookup filtered by length meets paths it must not take.
 */
export const LOOKALIKE_PATHS = [
  'a.ts',
  'b.ts',
  'src/é.ts',
  'src/e.ts',
  'docs/😀.md',
  'docs/ab.md',
  'x',
  'y',
  'aé.ts',
  'éa.ts',
  'abc.ts',
  'ab.ts',
  '😀',
  'ab',
  'lib/long-name.ts',
];
