import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { decodeArchive } from '../../../src/services/retention/archive-format';

/** Reading archive bytes member by member: headers with optional fields, garbage, checksums. */
const row = (id: number) => ({
  id,
  jobId: `job-${id}`,
  projectId: 'p',
  status: 'completed',
  startTime: 1,
  lastActivityAt: 2,
  phases: [],
});
const lines = (...ids: number[]) => ids.map((id) => `${JSON.stringify(row(id))}\n`).join('');

/** A gzip member with every optional header field (extra, name, comment, header crc). */
function memberWithHeaderFields(text: string): Buffer {
  const data = Buffer.from(text);
  const header = Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3]);
  const extra = Buffer.concat([Buffer.from([3, 0]), Buffer.from('abc')]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([
    header,
    extra,
    Buffer.from('name\0comment\0'),
    Buffer.from([0, 0]),
    deflateRawSync(data),
    trailer,
  ]);
}

describe('decodeArchive', () => {
  it('reads members with optional header fields, and an empty file', () => {
    expect(decodeArchive('f', Buffer.alloc(0))).toEqual({ rows: [], damaged: [] });
    const bytes = Buffer.concat([memberWithHeaderFields(lines(1, 2)), gzipSync(lines(3))]);
    expect(decodeArchive('f', bytes)).toEqual({ rows: [row(1), row(2), row(3)], damaged: [] });
  });

  it('skips garbage before and between members, saying how many bytes it could not read', () => {
    const good = gzipSync(lines(2));
    const bytes = Buffer.concat([
      Buffer.from('garbage!'),
      gzipSync(lines(1)),
      Buffer.from([0x1f, 0x8b, 0x08, 1, 2]),
      good,
    ]);
    const decoded = decodeArchive('f', bytes);
    expect(decoded.rows).toEqual([row(1), row(2)]);
    expect(decoded.damaged).toEqual([
      { file: 'f', offset: 0, bytes: 8, line: null, reason: 'not a gzip member' },
      expect.objectContaining({ offset: bytes.length - good.length - 5, bytes: 5 }),
    ]);
  });

  it('reports a member whose checksum fails, and headers cut short', () => {
    const member = gzipSync(lines(1));
    member.writeUInt32LE(member.readUInt32LE(member.length - 8) ^ 1, member.length - 8);
    const decoded = decodeArchive('f', Buffer.concat([member, gzipSync(lines(2))]));
    expect(decoded.rows).toEqual([row(2)]);
    expect(decoded.damaged).toEqual([
      expect.objectContaining({ offset: 0, reason: 'gzip member fails its checksum' }),
    ]);
    for (const cut of [
      Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, 9]),
      Buffer.from([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 0x41]),
    ]) {
      expect(decodeArchive('f', cut)).toEqual({
        rows: [],
        damaged: [expect.objectContaining({ reason: 'not a gzip member', bytes: cut.length })],
      });
    }
  });
});
