/**
 * CRC-32 (IEEE, as zlib and gzip compute it), for the file log's row checksums and the
 * gzip trailers of history archives: one helper, so both work on every Node 20.
 */
import zlib from 'node:zlib';

// zlib.crc32 exists from Node 20.15; older 20.x get the table-driven version.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

// Built on first use: with zlib.crc32 present it is never needed.
let table: Uint32Array | null = null;

/** Entry n: the CRC-32 of the byte n (reflected polynomial 0xedb88320). */
function crcTable(): Uint32Array {
  return Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
}

/** The table-driven CRC-32; exported for its test, which compares it with zlib's. */
export function tableCrc32(data: Uint8Array): number {
  const lookup = (table ??= crcTable());
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = lookup[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export const crc32: (data: Uint8Array) => number = nativeCrc32 ?? tableCrc32;
