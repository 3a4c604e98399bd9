import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { NotFoundError, StorageError, UnsafePathError, readArchive } from '../../../src';
import { readArchiveFile } from '../../../src/services/retention/archive';
import { useTempDir } from '../../support/temp-dir';
import { thrownBy } from '../../support/thrown-by';
import { lines, row } from './gzip-members';

/**
 * Opening one archive file: what is refused, with which error. readArchive and maintenance
 * look at a path (lstat) before reading it, so a missing file, a link or a folder reaches the
 * reader itself only when the path changes in between (another process): those cases call
 * the reader directly. A FIFO passes the look and is refused by the reader, through readArchive.
 */
const tmp = useTempDir();
const onLinux = process.platform === 'linux' ? it : it.skip;

describe('readArchiveFile: what it refuses', () => {
  it('reads a regular file (the case the refusals are measured against)', () => {
    const file = tmp.join('2026-01.jsonl.gz');
    fs.writeFileSync(file, gzipSync(lines(1)));
    expect(readArchiveFile(file)).toEqual({ rows: [row(1)], damaged: [] });
  });

  it('a FIFO where a file was expected: a storage error, without waiting for a writer', () => {
    const fifo = tmp.join('2026-02.jsonl.gz');
    execFileSync('mkfifo', [fifo]);
    const error = thrownBy(() => readArchive(fifo));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'STORAGE', message: `read ${fifo}: not a regular file` });
  });

  it('a folder: a storage error', () => {
    const error = thrownBy(() => readArchiveFile(tmp.path));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'STORAGE', message: `read ${tmp.path}: not a regular file` });
  });

  it('a file gone since it was listed: not found', () => {
    const file = tmp.join('2026-03.jsonl.gz');
    const error = thrownBy(() => readArchiveFile(file));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: `no archive file ${file}` });
  });

  it('a file swapped for a link since it was listed: refused, the target never read', () => {
    const target = tmp.join('elsewhere.jsonl.gz');
    fs.writeFileSync(target, gzipSync(lines(1)));
    const link = tmp.join('2026-04.jsonl.gz');
    fs.symlinkSync(target, link);
    const error = thrownBy(() => readArchiveFile(link));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error).toMatchObject({
      code: 'UNSAFE_PATH',
      path: link,
      message: `${link} is a symbolic link; the archive is never read through links`,
    });
  });

  it('a path that cannot be opened for another reason: a storage error with the cause', () => {
    const file = tmp.join('2026-05.jsonl.gz');
    fs.writeFileSync(file, '');
    const inside = `${file}/inside`;
    const error = thrownBy(() => readArchiveFile(inside));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      code: 'STORAGE',
      message: `read ${inside}: ENOTDIR: not a directory, open '${inside}'`,
      cause: expect.objectContaining({ code: 'ENOTDIR' }),
    });
  });

  // A regular file whose read fails (EIO) without a fault injector: this process's memory at address 0.
  onLinux('a file that opens but does not read: a storage error with the cause', () => {
    const error = thrownBy(() => readArchiveFile('/proc/self/mem'));
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({
      code: 'STORAGE',
      message: 'read /proc/self/mem: EIO: i/o error, read',
      cause: expect.objectContaining({ code: 'EIO' }),
    });
  });
});
