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
