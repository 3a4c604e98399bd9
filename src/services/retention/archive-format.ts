import { constants, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { crc32 } from '../../db/crc32';
import type { SyncHistoryRow } from '../../schema';
import type { ArchiveDamage } from './archived-sync';

export type { ArchiveDamage };
import { SYNC_STATUSES } from '../../schema/sync-status';

/**
 * Reading archive bytes back, gzip member by gzip member, so that damage in one member
 * (a truncated file, flipped bytes, a line that is not a sync row) loses only what it
 * touches: zlib's gunzip would throw away the whole file. Every line the archive holds is
 * returned, duplicates included; what could not be read is described in `damaged`.
 */

export interface DecodedArchive {
  /** Every sync row read, in file order, duplicates included. */
  rows: SyncHistoryRow[];
  damaged: ArchiveDamage[];
}

/** What every archived line must hold; other columns pass through as they were. */
const archivedRowSchema = z.looseObject({
  id: z.number().int(),
  jobId: z.string().min(1),
  projectId: z.string(),
  status: z.enum(SYNC_STATUSES),
  startTime: z.number().int(),
  lastActivityAt: z.number().int(),
  phases: z.array(z.unknown()),
});

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

export function decodeArchive(file: string, bytes: Buffer): DecodedArchive {
  const out: DecodedArchive = { rows: [], damaged: [] };
  let offset = 0;
  while (offset < bytes.length) {
    const next = decodeMember(file, bytes, offset, out);
    if (next !== null) {
      offset = next;
      continue;
    }
    // Lost from here to the next member that reads (or the end).
    const resume = nextMember(bytes, offset + 1);
    out.damaged[out.damaged.length - 1]!.bytes = (resume ?? bytes.length) - offset;
    if (resume === null) break;
    offset = resume;
  }
  return out;
}

/** Decode the member at `offset` into `out`; returns the offset after it, or null (damage recorded) when it does not read. */
function decodeMember(file: string, bytes: Buffer, offset: number, out: DecodedArchive): number | null {
  const header = headerLength(bytes, offset);
  if (header === null) {
    out.damaged.push({ file, offset, bytes: 0, line: null, reason: 'not a gzip member' });
    return null;
  }
  const body = bytes.subarray(offset + header);
  let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // SYNC_FLUSH: a member cut short gives back what it holds instead of nothing.
    inflated = inflateRawSync(body, {
      info: true,
      finishFlush: constants.Z_SYNC_FLUSH,
    }) as unknown as typeof inflated;
  } catch (error) {
    out.damaged.push({
      file,
      offset,
      bytes: 0,
      line: null,
      reason: `gzip member does not inflate: ${(error as Error).message}`,
    });
    return null;
  }
  const end = offset + header + inflated.engine.bytesWritten;
  const text = inflated.buffer.toString('utf8');
  if (end + 8 > bytes.length) {
    // Cut short: its complete lines are good, the one it ends in is not.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    readLines(file, offset, complete, out);
    out.damaged.push({
      file,
      offset,
      bytes: 0,
      line: null,
      reason: `gzip member cut short after ${complete.split('\n').length - 1} whole lines`,
    });
    return null;
  }
  const crcOk =
    bytes.readUInt32LE(end) === crc32(inflated.buffer) &&
    bytes.readUInt32LE(end + 4) === inflated.buffer.length % 2 ** 32;
  if (!crcOk) {
    out.damaged.push({
      file,
      offset,
      bytes: end + 8 - offset,
      line: null,
      reason: 'gzip member fails its checksum',
    });
    return end + 8;
  }
  readLines(file, offset, text, out);
  return end + 8;
}

function readLines(file: string, offset: number, text: string, out: DecodedArchive): void {
  text.split('\n').forEach((line, i) => {
    if (!line) return;
    try {
      out.rows.push(archivedRowSchema.parse(JSON.parse(line)) as unknown as SyncHistoryRow);
    } catch (error) {
      out.damaged.push({
        file,
        offset,
        bytes: 0,
        line: i + 1,
        reason: `not a sync row: ${(error as Error).message.slice(0, 200)}`,
      });
    }
  });
}

/** Length of the gzip header at `offset`, or null when there is none. */
function headerLength(bytes: Buffer, offset: number): number | null {
  if (
    bytes[offset] !== 0x1f ||
    bytes[offset + 1] !== 0x8b ||
    bytes[offset + 2] !== 8 ||
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: equivalent, a header running past the end is refused below too
    offset + 10 > bytes.length
  )
    return null;
  const flags = bytes[offset + 3]!;
  let at = offset + 10;
  if (flags & FEXTRA) {
    if (at + 2 > bytes.length) return null;
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const zero = bytes.indexOf(0, at);
    if (zero === -1) return null;
    at = zero + 1;
  }
  if (flags & FHCRC) at += 2;
  return at <= bytes.length ? at - offset : null;
}

/**
 * The next offset from `from` where a whole member reads (it inflates and matches its
 * checksum), or null. A line in it that is not a sync row is that line's damage, not the
 * member's: its other lines are read.
 */
function nextMember(bytes: Buffer, from: number): number | null {
  const magic = Buffer.from([0x1f, 0x8b, 0x08]);
  for (let at = bytes.indexOf(magic, from); at !== -1; at = bytes.indexOf(magic, at + 1)) {
    const probe: DecodedArchive = { rows: [], damaged: [] };
    // Stryker disable next-line StringLiteral: the probe's damage records are thrown away unread
    decodeMember('', bytes, at, probe);
    // Every way a member fails (no header, no inflate, cut short, checksum) is a record without a line.
    if (probe.damaged.every((damage) => damage.line !== null)) return at;
  }
  return null;
}
