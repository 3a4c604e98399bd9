import { gzipSync } from 'node:zlib';
import { decodeArchive } from '../../../src/services/retention/archive-format';
import { thrownBy } from '../../support/thrown-by';
import { STORED_TEXT_AT, fixedHeader, flipped, lines, row, storedMember } from './gzip-members';

/**
 * Reading archive bytes member by member: what a damaged member loses and how the damage is
 * reported, value for value (offsets and byte counts in the file, line numbers, reasons).
 * Headers are in archive-gzip-headers.test.ts, finding the next member in archive-resync.test.ts.
 */
const fails = (offset: number, bytes: number) => ({
  file: 'f',
  offset,
  bytes,
  line: null,
  reason: 'gzip member fails its checksum',
});

describe('decodeArchive: a member whose trailer does not match its data', () => {
  // A good member first, so a damaged one starts elsewhere than at byte 0.
  const first = gzipSync(lines(1));
  const last = gzipSync(lines(3));
  const decode = (damaged: Buffer) => decodeArchive('f', Buffer.concat([first, damaged, last]));

  it('reads nothing from it when its CRC-32 does not match, and goes on after it', () => {
    const member = gzipSync(lines(2));
    expect(decode(flipped(member, member.length - 8))).toEqual({
      rows: [row(1), row(3)],
      damaged: [fails(first.length, member.length)],
    });
  });

  it('reads nothing from it when its length (ISIZE) does not match', () => {
    const member = gzipSync(lines(2));
    expect(decode(flipped(member, member.length - 4))).toEqual({
      rows: [row(1), row(3)],
      damaged: [fails(first.length, member.length)],
    });
  });

  it('reads nothing from it when its data changed and still inflates to sync rows', () => {
    const member = storedMember(lines(2));
    // `{"id":2,` becomes `{"id":3,`: valid JSON, a valid row, the wrong one.
    const changed = flipped(member, STORED_TEXT_AT + '{"id":'.length);
    expect(changed.subarray(STORED_TEXT_AT, STORED_TEXT_AT + 8).toString()).toBe('{"id":3,');
    expect(decode(changed)).toEqual({
      rows: [row(1), row(3)],
      damaged: [fails(first.length, member.length)],
    });
  });
});

describe('decodeArchive: a member that does not read to its end', () => {
  const first = gzipSync(lines(1));

  it("does not inflate: loses the bytes up to the next member, with zlib's reason", () => {
    const broken = Buffer.concat([fixedHeader(0), Buffer.from([0xff, 0xff])]);
    const bytes = Buffer.concat([first, broken, gzipSync(lines(2))]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(2)],
      damaged: [
        {
          file: 'f',
          offset: first.length,
          bytes: broken.length,
          line: null,
          reason: 'gzip member does not inflate: invalid block type',
        },
      ],
    });
  });

  it('cut short in its data: reads its whole lines, loses the one it ends in', () => {
    const member = storedMember(lines(2, 3, 4));
    const cut = member.subarray(0, STORED_TEXT_AT + lines(2, 3).length + 10);
    expect(decodeArchive('f', Buffer.concat([first, cut]))).toEqual({
      rows: [row(1), row(2), row(3)],
      damaged: [
        {
          file: 'f',
          offset: first.length,
          bytes: cut.length,
          line: null,
          reason: 'gzip member cut short after 2 whole lines',
        },
      ],
    });
  });

  it('cut short in its trailer: reads its lines, reports it cut short', () => {
    const member = gzipSync(lines(2));
    const cut = member.subarray(0, member.length - 3);
    expect(decodeArchive('f', Buffer.concat([first, cut]))).toEqual({
      rows: [row(1), row(2)],
      damaged: [
        {
          file: 'f',
          offset: first.length,
          bytes: cut.length,
          line: null,
          reason: 'gzip member cut short after 1 whole lines',
        },
      ],
    });
  });
});

describe('decodeArchive: lines that are not sync rows', () => {
  it('loses only those lines, numbered within their member, with why', () => {
    const first = gzipSync(lines(1));
    const text = `${lines(2)}not json\n\n${lines(3)}{"id":4}\n`;
    const decoded = decodeArchive('f', Buffer.concat([first, gzipSync(text), gzipSync(lines(5))]));
    expect(decoded.rows).toEqual([row(1), row(2), row(3), row(5)]);
    const jsonError = thrownBy(() => JSON.parse('not json')).message;
    expect(decoded.damaged).toEqual([
      { file: 'f', offset: first.length, bytes: 0, line: 2, reason: `not a sync row: ${jsonError}` },
      {
        file: 'f',
        offset: first.length,
        bytes: 0,
        line: 5,
        reason: expect.stringMatching(/^not a sync row: \[\n {2}\{\n {4}"expected": "string",/),
      },
    ]);
    // The schema's message lists every missing field; the reason keeps its first 200 characters.
    expect(decoded.damaged[1]!.reason).toHaveLength('not a sync row: '.length + 200);
  });

  it('reads an empty file as nothing, with no damage', () => {
    expect(decodeArchive('f', Buffer.alloc(0))).toEqual({ rows: [], damaged: [] });
  });
});
