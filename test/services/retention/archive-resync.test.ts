import { gzipSync } from 'node:zlib';
import { decodeArchive } from '../../../src/services/retention/archive-format';
import { thrownBy } from '../../support/thrown-by';
import { fixedHeader, flipped, lines, row } from './gzip-members';

/**
 * After bytes that do not read, the reader looks for the next whole member (one that
 * inflates and matches its checksum) and goes on from there: what lies between is one damage
 * record, its exact offset and length in the file.
 */
const first = gzipSync(lines(1));
const last = gzipSync(lines(3));
const lost = (offset: number, bytes: number) => ({
  file: 'f',
  offset,
  bytes,
  line: null,
  reason: 'not a gzip member',
});

describe('decodeArchive: finding the next member after damage', () => {
  it('damaged bytes between two members: both members read', () => {
    const bytes = Buffer.concat([first, Buffer.from('damaged!'), last]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(3)],
      damaged: [lost(first.length, 8)],
    });
  });

  it('garbage at the start of the file: the member after it read', () => {
    const bytes = Buffer.concat([Buffer.from('garbage'), first, last]);
    expect(decodeArchive('f', bytes)).toEqual({ rows: [row(1), row(3)], damaged: [lost(0, 7)] });
  });

  it('garbage at the very end: lost up to the end of the file', () => {
    const bytes = Buffer.concat([first, last, Buffer.from('tail')]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(3)],
      damaged: [lost(first.length + last.length, 4)],
    });
  });

  it('a gzip magic inside the garbage that does not decode is garbage too', () => {
    const fake = Buffer.concat([fixedHeader(0), Buffer.from([0xff, 0xff])]);
    const shortFake = Buffer.from([0x1f, 0x8b, 8]);
    const garbage = Buffer.concat([Buffer.from('ab'), fake, Buffer.from('cd'), shortFake, Buffer.from('ef')]);
    const bytes = Buffer.concat([first, garbage, last]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(3)],
      damaged: [lost(first.length, garbage.length)],
    });
  });

  it('a member that fails its checksum after the garbage is not where reading resumes', () => {
    // Random bytes after a stray magic can inflate; only the checksum tells them from a member.
    const member = gzipSync(lines(2));
    const bad = flipped(member, member.length - 8);
    const bytes = Buffer.concat([first, Buffer.from('xx'), bad, last]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(3)],
      damaged: [lost(first.length, 2 + bad.length)],
    });
  });

  it('a whole member after the garbage with a line that is not a sync row: its other lines read', () => {
    const member = gzipSync(`not json\n${lines(2)}`);
    const bytes = Buffer.concat([first, Buffer.from('xx'), member, last]);
    expect(decodeArchive('f', bytes)).toEqual({
      rows: [row(1), row(2), row(3)],
      damaged: [
        lost(first.length, 2),
        {
          file: 'f',
          offset: first.length + 2,
          bytes: 0,
          line: 1,
          reason: `not a sync row: ${thrownBy(() => JSON.parse('not json')).message}`,
        },
      ],
    });
  });
});
