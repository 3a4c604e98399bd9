import zlib from 'node:zlib';
import { crc32, tableCrc32 } from '../../src/db/crc32';
import { checksum } from '../../src/repositories/file-log-codec';

describe('the CRC-32 without zlib.crc32 (Node 20 before 20.15)', () => {
  it('is the same CRC-32 as zlib computes', () => {
    const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    for (const text of ['', 'a', 'src/a.ts\0new\nline.ts', 'é'.repeat(1000)]) {
      const data = Buffer.from(text);
      expect(tableCrc32(data)).toBe(crc32 ? crc32(data) : tableCrc32(data));
    }
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
  });
});

describe('one CRC-32 for the file log and the archives', () => {
  it('is what the file log checksums its rows with', () => {
    expect(checksum).toBe(crc32);
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
