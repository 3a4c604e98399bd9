import { deflateRawSync, gzipSync } from 'node:zlib';
import { crc32 } from '../../../src/db/crc32';

/**
 * Archive bytes built by hand for the tests of reading them back: sync rows as JSON lines,
 * and gzip members as zlib writes them or as another gzip writer may (optional header
 * fields). The project's crc32 works on every Node 20 (zlib.crc32 needs 20.15).
 */

/** The smallest line the archive reader accepts as a sync row. */
export const row = (id: number) => ({
  id,
  jobId: `job-${id}`,
  projectId: 'p',
  status: 'completed',
  startTime: 1,
  lastActivityAt: 2,
  phases: [],
});

/** One JSON line per id, each ending in a newline, as archive batches are written. */
export const lines = (...ids: number[]) => ids.map((id) => `${JSON.stringify(row(id))}\n`).join('');

export const FHCRC = 2;
export const FEXTRA = 4;
export const FNAME = 8;
export const FCOMMENT = 16;

export interface HeaderFields {
  extra?: Buffer;
  name?: string;
  comment?: string;
  headerCrc?: boolean;
}

/** The 10 fixed bytes of a gzip header: magic, method 8 (deflate), flags, mtime 0, xfl 0, OS 3 (Unix). */
export function fixedHeader(flags: number): Buffer {
  return Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]);
}

/** A gzip header with the optional fields given, in the order RFC 1952 puts them. */
export function gzipHeader(fields: HeaderFields = {}): Buffer {
  const flags =
    (fields.extra ? FEXTRA : 0) |
    (fields.name !== undefined ? FNAME : 0) |
    (fields.comment !== undefined ? FCOMMENT : 0) |
    (fields.headerCrc ? FHCRC : 0);
  const parts = [fixedHeader(flags)];
  if (fields.extra) {
    const length = Buffer.alloc(2);
    length.writeUInt16LE(fields.extra.length);
    parts.push(length, fields.extra);
  }
  if (fields.name !== undefined) parts.push(Buffer.from(`${fields.name}\0`, 'latin1'));
  if (fields.comment !== undefined) parts.push(Buffer.from(`${fields.comment}\0`, 'latin1'));
  const header = Buffer.concat(parts);
  if (!fields.headerCrc) return header;
  const headerCrc = Buffer.alloc(2);
  headerCrc.writeUInt16LE(crc32(header) & 0xffff);
  return Buffer.concat([header, headerCrc]);
}

/** The 8-byte gzip trailer of `data`: its CRC-32 and its length, little-endian. */
export function gzipTrailer(data: Buffer): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return trailer;
}

/** A whole gzip member of `text` with the header fields given. */
export function gzipMember(text: string, fields: HeaderFields = {}): Buffer {
  const data = Buffer.from(text);
  return Buffer.concat([gzipHeader(fields), deflateRawSync(data), gzipTrailer(data)]);
}

/**
 * A gzip member whose data is stored, not compressed (zlib level 0): its text starts at
 * STORED_TEXT_AT (10 header bytes, 5 of the stored block's header), so a test can change
 * or cut the text itself and the member still inflates.
 */
export const storedMember = (text: string) => gzipSync(text, { level: 0 });
export const STORED_TEXT_AT = 15;

/** A copy of `bytes` with the byte at `at` XORed with `mask`. */
export function flipped(bytes: Buffer, at: number, mask = 0x01): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ mask;
  return copy;
}
