import fs from 'node:fs';
import { QUARANTINE_KEEP, quarantineDatabase } from '../../src/db/quarantine';
import { UnsafePathError } from '../../src/errors';
import { listDir, useTempDir } from '../support/temp-dir';
import { thrownBy } from '../support/thrown-by';

describe('quarantineDatabase', () => {
  const tmp = useTempDir();

  it('moves the file with its -wal and -shm aside as {name}.corrupt-{timestamp}, keeping their bytes', () => {
    const dbPath = tmp.join('p.db');
    fs.writeFileSync(dbPath, 'main');
    fs.writeFileSync(`${dbPath}-wal`, 'wal');
    fs.writeFileSync(`${dbPath}-shm`, 'shm');

    const target = quarantineDatabase(dbPath, 1234);

    expect(target).toBe(`${dbPath}.corrupt-1234`);
    expect(listDir(tmp.path)).toEqual([
      'p.db.corrupt-1234',
      'p.db.corrupt-1234-shm',
      'p.db.corrupt-1234-wal',
    ]);
    expect(fs.readFileSync(target, 'utf8')).toBe('main');
    expect(fs.readFileSync(`${target}-wal`, 'utf8')).toBe('wal');
    expect(fs.readFileSync(`${target}-shm`, 'utf8')).toBe('shm');
  });

  it('moves just the main file when there is no -wal or -shm', () => {
    const dbPath = tmp.join('p.db');
    fs.writeFileSync(dbPath, 'main');
    quarantineDatabase(dbPath, 1);
    expect(listDir(tmp.path)).toEqual(['p.db.corrupt-1']);
  });

  it(`keeps only the newest ${QUARANTINE_KEEP} copies (by timestamp, as numbers), with their -wal/-shm`, () => {
    const dbPath = tmp.join('p.db');
    // 999 < 1000 although "999" > "1000" as text.
    for (const stamp of [999, 1000, 20, 3000, 2000]) {
      fs.writeFileSync(dbPath, `copy ${stamp}`);
      fs.writeFileSync(`${dbPath}-wal`, `wal ${stamp}`);
      quarantineDatabase(dbPath, stamp);
    }
    expect(listDir(tmp.path)).toEqual([
      'p.db.corrupt-1000',
      'p.db.corrupt-1000-wal',
      'p.db.corrupt-2000',
      'p.db.corrupt-2000-wal',
      'p.db.corrupt-3000',
      'p.db.corrupt-3000-wal',
    ]);
    expect(fs.readFileSync(tmp.join('p.db.corrupt-3000'), 'utf8')).toBe('copy 3000');
  });

  it('never prunes files of another project or names it did not write', () => {
    const keepers = [
      'other.db.corrupt-1',
      'other.db.corrupt-2',
      'p.db.corrupt-notes.txt',
      'p.db.corrupt-0.5', // ends in digits, but is no stamp
      'p.db.bak',
      'other.db',
    ];
    for (const name of keepers) fs.writeFileSync(tmp.join(name), name);
    const dbPath = tmp.join('p.db');
    for (const stamp of [1, 2, 3, 4]) {
      fs.writeFileSync(dbPath, 'x');
      quarantineDatabase(dbPath, stamp);
    }
    expect(listDir(tmp.path)).toEqual(
      [...keepers, 'p.db.corrupt-2', 'p.db.corrupt-3', 'p.db.corrupt-4'].sort(),
    );
  });

  it('refuses to move what it did not check: a link or a folder in place of the file', () => {
    const dbPath = tmp.join('p.db');
    const outside = tmp.join('outside.db');
    fs.writeFileSync(outside, 'theirs');
    fs.symlinkSync(outside, dbPath);
    const error = thrownBy(() => quarantineDatabase(dbPath, 5));
    expect(error).toBeInstanceOf(UnsafePathError);
    expect(error.message).toBe(
      `${dbPath} is a symbolic link; the store never follows links inside its folder`,
    );
    expect(fs.lstatSync(dbPath).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe('theirs');

    fs.rmSync(dbPath);
    fs.mkdirSync(dbPath);
    expect(thrownBy(() => quarantineDatabase(dbPath, 5)).message).toBe(`${dbPath} is not a regular file`);
    expect(fs.statSync(dbPath).isDirectory()).toBe(true);
  });

  it('refuses a -wal that is a link, moving nothing', () => {
    const dbPath = tmp.join('p.db');
    fs.writeFileSync(dbPath, 'main');
    fs.symlinkSync(tmp.join('elsewhere'), `${dbPath}-wal`);
    expect(() => quarantineDatabase(dbPath, 5)).toThrow(UnsafePathError);
    expect(listDir(tmp.path)).toEqual(['p.db', 'p.db-wal']);
  });

  it('never overwrites what already has the quarantine name: it takes the next free one', () => {
    const dbPath = tmp.join('p.db');
    fs.writeFileSync(`${dbPath}.corrupt-5`, 'earlier copy');
    fs.symlinkSync(tmp.join('target'), `${dbPath}.corrupt-6-wal`);
    fs.writeFileSync(dbPath, 'main');
    fs.writeFileSync(`${dbPath}-wal`, 'wal');

    expect(quarantineDatabase(dbPath, 5)).toBe(`${dbPath}.corrupt-7`);
    expect(fs.readFileSync(`${dbPath}.corrupt-5`, 'utf8')).toBe('earlier copy');
    expect(fs.readFileSync(`${dbPath}.corrupt-7`, 'utf8')).toBe('main');
    expect(fs.readFileSync(`${dbPath}.corrupt-7-wal`, 'utf8')).toBe('wal');
    expect(fs.existsSync(tmp.join('target'))).toBe(false);
  });

  it('prunes only regular files: an old copy that is a link or a folder is left alone', () => {
    const dbPath = tmp.join('p.db');
    const outside = tmp.join('outside');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, `${dbPath}.corrupt-1`);
    fs.mkdirSync(`${dbPath}.corrupt-2`);
    for (const stamp of [3, 4, 5, 6]) {
      fs.writeFileSync(dbPath, 'x');
      quarantineDatabase(dbPath, stamp);
    }
    expect(listDir(tmp.path)).toEqual([
      'outside',
      'p.db.corrupt-1',
      'p.db.corrupt-2',
      'p.db.corrupt-4',
      'p.db.corrupt-5',
      'p.db.corrupt-6',
    ]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
  });
});
