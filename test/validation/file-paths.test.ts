import zlib from 'node:zlib';
import { tableCrc32 } from '../../src/repositories/file-log-codec';
import { filePathListSchema, filePathProblem } from '../../src/validation/file-paths';

describe('file path rules', () => {
  it.each(['new\nline.ts', 'carriage\rreturn', '\ttab.ts', '-leading-dash', 'quo"te\'s', 'bell\u0007.txt', 'spaced name/é.ts'])(
    'accept what git can name: %j',
    (path) => {
      expect(filePathProblem(path)).toBeNull();
    },
  );

  it.each([
    ['nul\0byte', /NUL/],
    ['', /empty/],
    ['/abs', /relative/],
    ['a/../b', /\.\./],
    ['a//b', /normalised/],
    ['x'.repeat(5000), /at most/],
  ])('refuse %j', (path, problem) => {
    expect(filePathProblem(path)).toMatch(problem);
  });

  it('lists: each path checked, repeats named', () => {
    expect(filePathListSchema.safeParse(['a', 'b\nc']).success).toBe(true);
    const result = filePathListSchema.safeParse(['a', 'a', 'x\0']);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[1], [2]]);
  });
});

describe('the file log checksum without zlib.crc32 (Node 20 before 20.15)', () => {
  it('is the same CRC-32 as zlib computes', () => {
    const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    for (const text of ['', 'a', 'src/a.ts\0new\nline.ts', 'é'.repeat(1000)]) {
      const data = Buffer.from(text);
      expect(tableCrc32(data)).toBe(crc32 ? crc32(data) : tableCrc32(data));
    }
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
  });
});
