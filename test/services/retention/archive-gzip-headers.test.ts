import { gzipSync } from 'node:zlib';
import { decodeArchive } from '../../../src/services/retention/archive-format';
import { FCOMMENT, FEXTRA, FHCRC, FNAME, fixedHeader, flipped, gzipMember, lines, row } from './gzip-members';

/**
 * The gzip header of each member: the optional fields another gzip writer may set (RFC 1952:
 * FEXTRA with its 2-byte length, FNAME and FCOMMENT ending in a zero byte, FHCRC's 2 bytes),
 * bytes that are not a member's start, and a header cut short at the end of the file.
 */
const first = gzipSync(lines(1));
const notAMember = (bytes: number) => ({
  file: 'f',
  offset: first.length,
  bytes,
  line: null,
  reason: 'not a gzip member',
});
const emptyAndCut = (bytes: number) => ({
  file: 'f',
  offset: first.length,
  bytes,
  line: null,
  reason: 'gzip member cut short after 0 whole lines',
});

describe('decodeArchive: optional gzip header fields', () => {
  // A zero byte and a gzip magic in the extra field: a reader that does not skip the field
  // by its length would take the zero for the end of the name, or the magic for a member.
  const extra = Buffer.from([0, 0x1f, 0x8b, 8, 0]);

  it.each([
    ['FEXTRA', { extra }],
    ['FNAME', { name: 'batch.jsonl' }],
    ['FCOMMENT', { comment: 'written elsewhere' }],
    ['FHCRC', { headerCrc: true }],
    ['FNAME and FCOMMENT', { name: 'batch.jsonl', comment: 'written elsewhere' }],
    ['all four', { extra, name: 'batch.jsonl', comment: 'written elsewhere', headerCrc: true }],
  ])('reads a member with %s, and the member after it', (_, fields) => {
    const bytes = Buffer.concat([first, gzipMember(lines(2, 3), fields), gzipSync(lines(4))]);
    expect(decodeArchive('f', bytes)).toEqual({ rows: [row(1), row(2), row(3), row(4)], damaged: [] });
  });
});

describe('decodeArchive: bytes that are not the start of a member', () => {
  const member = gzipSync(lines(2));
  const last = gzipSync(lines(3));

  it.each([
    ['its first magic byte (0x1f)', 0],
    ['its second magic byte (0x8b)', 1],
    ['its method byte (8, deflate)', 2],
  ])('a whole member with %s changed is lost, the member after it read', (_, at) => {
    const bytes = Buffer.concat([first, flipped(member, at, 0x40), last]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(3)],
      damaged: [notAMember(member.length)],
    });
  });
});

describe('decodeArchive: a header cut short at the end of the file', () => {
  const read = (cut: Buffer) => decodeArchive('f', Buffer.concat([first, cut]));

  it.each([
    ['9 of the 10 fixed bytes', fixedHeader(0).subarray(0, 9)],
    ['FEXTRA without its whole length', Buffer.concat([fixedHeader(FEXTRA), Buffer.from([0])])],
    [
      'FEXTRA shorter than its length',
      Buffer.concat([fixedHeader(FEXTRA), Buffer.from([5, 0]), Buffer.from('abc')]),
    ],
    ['FNAME without its zero byte', Buffer.concat([fixedHeader(FNAME), Buffer.from('name')])],
    ['FCOMMENT without its zero byte', Buffer.concat([fixedHeader(FCOMMENT), Buffer.from('comment')])],
    [
      'FNAME, then FCOMMENT without its zero byte',
      Buffer.concat([fixedHeader(FNAME | FCOMMENT), Buffer.from('name\0comment')]),
    ],
    ['FHCRC with one of its 2 bytes', Buffer.concat([fixedHeader(FHCRC), Buffer.from([0])])],
  ])('%s: not a gzip member', (_, cut) => {
    expect(read(cut)).toEqual({ rows: [row(1)], damaged: [notAMember(cut.length)] });
  });

  it.each([
    ['the 10 fixed bytes', fixedHeader(0)],
    ['FEXTRA with an empty field', Buffer.concat([fixedHeader(FEXTRA), Buffer.from([0, 0])])],
    ['FNAME with its zero byte', Buffer.concat([fixedHeader(FNAME), Buffer.from('name\0')])],
    ['FHCRC with its 2 bytes', Buffer.concat([fixedHeader(FHCRC), Buffer.from([0, 0])])],
  ])('a whole header (%s) and nothing after it: a member cut short', (_, cut) => {
    expect(read(cut)).toEqual({ rows: [row(1)], damaged: [emptyAndCut(cut.length)] });
  });
});
