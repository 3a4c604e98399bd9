/**
 * The byte format of the file log (see src/schema/checkpoint-files.ts): path lists as
 * NUL-separated UTF-8, ordinal sets as sorted runs of varints, and the CRC-32 that says a
 * row is as it was written. Shared by the repository and the conversion of 0.1 files.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { crc32 } from '../db/crc32';
import { InconsistentFileLogError } from '../untrusted-checkpoint';
import type { JoinedPaths } from '../validation/path-list';

export { InconsistentFileLogError };

/** The CRC-32 a row's `checksum` holds. */
export const checksum: (data: Uint8Array) => number = crc32;

/** Paths as stored: UTF-8, separated by NUL. */
export function encodePaths(paths: readonly string[]): Buffer {
  return Buffer.from(paths.join('\0'), 'utf8');
}

/**
 * Paths `from` to `to` (exclusive) of a list already joined and encoded (joinCheckedPaths),
 * as stored: the same bytes as encodePaths of those paths, without joining or encoding
 * them again (a view of the joined bytes, not a copy).
 */
export function encodeJoinedPaths(joined: JoinedPaths, from: number, to: number): Buffer {
  return joined.bytes.subarray(joined.starts[from]!, joined.starts[to]! - 1);
}

/**
 * The stored bytes back as one string (ASCII, the common case, decodes several times
 * faster as latin1). Bytes that are not UTF-8 (an encoded surrogate, an overlong form, a
 * cut sequence) throw rather than come back as U+FFFD: the paths read would not be the
 * paths written, and only valid UTF-8 makes every path well-formed.
 */
export function decodePathText(data: Buffer): string {
  if (isAscii(data)) return data.toString('latin1');
  checkPathBytes(data);
  return data.toString('utf8');
}

/** Throws as decodePathText does on bytes that are not UTF-8, without decoding them. */
export function checkPathBytes(data: Buffer): void {
  if (!isAscii(data) && !isUtf8(data)) throw new InconsistentFileLogError('a planned row is not valid UTF-8');
}

/**
 * A set of ordinals as runs: for each run of consecutive ordinals, the gap from the end of
 * the previous run and the run's length minus one, both as LEB128 varints. Files finished
 * in plan order make a handful of bytes per checkpoint; scattered ones about two a file.
 */
export function encodeOrdinals(ordinals: readonly number[]): Buffer {
  const sorted = Uint32Array.from(ordinals).sort();
  const out = Buffer.allocUnsafe(sorted.length * 10 + 10);
  let at = 0;
  const put = (value: number) => {
    while (value >= 0x80) {
      out[at++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    out[at++] = value;
  };
  let previousEnd = 0;
  for (let i = 0; i < sorted.length;) {
    const start = sorted[i]!;
    let end = start + 1;
    i++;
    while (i < sorted.length && sorted[i] === end) {
      end++;
      i++;
    }
    put(start - previousEnd);
    put(end - start - 1);
    previousEnd = end;
  }
  return out.subarray(0, at);
}

/**
 * Calls `visit` for each ordinal of an encoded set, in order; returns how many there were.
 * Throws InconsistentFileLogError on a truncated or repeated run.
 */
export function decodeOrdinals(data: Uint8Array, visit: (ordinal: number) => void): number {
  return decodeOrdinalRuns(data, (start, length) => {
    for (let o = start; o < start + length; o++) visit(o);
  });
}

/**
 * Calls `visitRun` for each run of consecutive ordinals of an encoded set (its first
 * ordinal and its length), in order; returns how many ordinals there were. Throws
 * InconsistentFileLogError on a truncated or repeated run. A reader that handles a run
 * at once (a resume replaying files finished in plan order) makes one call per run.
 */
export function decodeOrdinalRuns(
  data: Uint8Array,
  visitRun: (start: number, length: number) => void,
): number {
  let at = 0;
  const get = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= data.length) throw new InconsistentFileLogError('an ordinal list is truncated');
      const byte = data[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 35) throw new InconsistentFileLogError('an ordinal is out of range');
    }
  };
  let previousEnd = 0;
  let count = 0;
  while (at < data.length) {
    const gap = get();
    const length = get() + 1;
    if (gap === 0 && count > 0) throw new InconsistentFileLogError('an ordinal list has adjoining runs');
    const start = previousEnd + gap;
    visitRun(start, length);
    previousEnd = start + length;
    count += length;
  }
  return count;
}
