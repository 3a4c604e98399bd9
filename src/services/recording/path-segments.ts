/**
 * The ledger's path list, in runs: either the strings as the caller gave them, or one
 * stored row kept as bytes until a path of it is needed, then as its text with where each
 * path starts, so a resume decodes only the rows that hold pending files and slices out
 * only the paths it hands back instead of splitting the whole list.
 */
import { decodePathText } from '../../repositories/file-log-codec';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import { MAX_PATH_LENGTH } from '../../validation/file-paths';

export interface Segment {
  first: number;
  count: number;
  paths: readonly string[] | null;
  read: (() => Buffer) | null;
  text: string | null;
  starts: Int32Array | null;
}

/** The i-th path of a segment, its row decoded first if it was not yet. */
export function pathOf(segment: Segment, i: number): string {
  if (segment.paths) return segment.paths[i]!;
  if (!segment.text) decodeSegment(segment);
  return segment.text!.slice(segment.starts![i], segment.starts![i + 1]! - 1);
}

/**
 * A stored row's paths, read and decoded when one of them is first needed (the
 * repository verifies the checksum as it reads); the count and shape are checked here.
 */
function decodeSegment(segment: Segment): void {
  const text = decodePathText(segment.read!());
  const count = segment.count;
  const starts = new Int32Array(count + 1);
  let at = 0;
  let n = 0;
  for (;;) {
    const end = text.indexOf('\0', at);
    const stop = end < 0 ? text.length : end;
    if (stop === at || stop - at > MAX_PATH_LENGTH || n >= count) {
      throw new InconsistentFileLogError(`a planned row holds an empty or over-long path, or more than ${count}`);
    }
    starts[n++] = at;
    if (end < 0) break;
    at = end + 1;
  }
  if (n !== count) throw new InconsistentFileLogError(`a planned row holds ${n} paths, not ${count}`);
  starts[n] = text.length + 1;
  segment.text = text;
  segment.starts = starts;
  segment.read = null;
}
