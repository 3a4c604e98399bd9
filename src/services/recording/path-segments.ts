/**
 * The ledger's path list, in runs: either the strings as the caller gave them, or one
 * stored row kept as bytes until a path of it is needed, then as its text with where each
 * path starts, so a resume decodes only the rows that hold pending files and slices out
 * only the paths it hands back instead of splitting the whole list.
 */
import { decodePathText } from '../../repositories/file-log-codec';
import { InconsistentFileLogError } from '../../untrusted-checkpoint';
import { splitPathList } from '../../validation/file-paths';

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
 * repository verifies the checksum as it reads); the count and every path are checked
 * here, by the same rules as a path the caller plans: a checksum says the row is as it
 * was written, not that whoever wrote it followed the rules.
 */
export function decodeSegment(segment: Segment): void {
  const text = decodePathText(segment.read!());
  const split = splitPathList(text, segment.count);
  if (split.problem !== null) throw new InconsistentFileLogError(`a planned row ${split.problem}`);
  segment.text = text;
  segment.starts = split.starts;
  segment.read = null;
}
