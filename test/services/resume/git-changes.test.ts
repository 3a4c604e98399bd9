import { parseNameStatus } from '../../../src/services/resume/git-changes';

/** `git diff --name-status -z` output from its fields (each NUL-terminated), as bytes. */
const z = (...fields: (string | Buffer)[]) =>
  Buffer.concat(fields.flatMap((f) => [Buffer.isBuffer(f) ? f : Buffer.from(f), Buffer.from([0])]));
const notUtf8 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x73]); // "café.ts" in Latin-1

describe('parseNameStatus (git diff --name-status -z, read as bytes)', () => {
  it('reads every status, with names verbatim: newlines, tabs, quotes, leading dashes', () => {
    const output = z(
      'A',
      'new\nline.ts',
      'M',
      '\ttab.ts',
      'D',
      '-dash.md',
      'T',
      'quo"te.js',
      'R087',
      'old name.ts',
      'new/name.ts',
      'C100',
      'a.ts',
      'copy of a.ts',
    );
    expect(parseNameStatus(output)).toEqual({
      changes: [
        { status: 'A', path: 'new\nline.ts' },
        { status: 'M', path: '\ttab.ts' },
        { status: 'D', path: '-dash.md' },
        { status: 'T', path: 'quo"te.js' },
        { status: 'R', from: 'old name.ts', path: 'new/name.ts' },
        { status: 'C', from: 'a.ts', path: 'copy of a.ts' },
      ],
      unreadable: 0,
      refused: 0,
    });
  });

  it('keeps a leading U+FEFF in a name: stripped as a byte-order mark, it would name another file', () => {
    const output = z('D', '\uFEFFa.ts', 'M', '\uFEFF\uFEFFb.ts', 'R100', '\uFEFFc.ts', 'c.ts');
    expect(parseNameStatus(output)).toEqual({
      changes: [
        { status: 'D', path: '\uFEFFa.ts' },
        { status: 'M', path: '\uFEFF\uFEFFb.ts' },
        { status: 'R', from: '\uFEFFc.ts', path: 'c.ts' },
      ],
      unreadable: 0,
      refused: 0,
    });
  });

  it('passes over unmerged and unknown entries, and a tail cut off before its NUL', () => {
    const output = Buffer.concat([
      z('U', 'conflict.ts', 'X', 'odd.ts', 'A', 'kept.ts'),
      Buffer.from('M\0cut-off'),
    ]);
    expect(parseNameStatus(output)).toEqual({
      changes: [{ status: 'A', path: 'kept.ts' }],
      unreadable: 0,
      refused: 0,
    });
  });

  it('leaves out names that are not UTF-8 and counts them, keeping the readable side of a rename or copy', () => {
    const output = z(
      'A',
      notUtf8,
      'M',
      notUtf8,
      'R100',
      'was.ts',
      notUtf8,
      'R100',
      notUtf8,
      'now.ts',
      'C100',
      'src.ts',
      notUtf8,
      'R100',
      notUtf8,
      notUtf8,
    );
    expect(parseNameStatus(output)).toEqual({
      changes: [
        { status: 'D', path: 'was.ts' }, // renamed away to an unreadable name: gone from the plan
        { status: 'A', path: 'now.ts' }, // renamed from an unreadable name: a new file
        // a copy to an unreadable name changes nothing readable
      ],
      unreadable: 7,
      refused: 0,
    });
  });
});
