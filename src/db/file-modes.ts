import fs from 'node:fs';
import path from 'node:path';
import { UnsafePathError } from '../errors';

/**
 * Owner-only folders and files, never followed through a link. Everything the store keeps
 * lives in one folder; a link placed inside it (or a file owned by someone else) could make
 * the store create, write, chmod or delete something outside it, so such a path is refused
 * with UnsafePathError instead of being used. Linux has no lchmod: modes are changed with
 * fchmod on a descriptor opened with O_NOFOLLOW, after checking it is the file we lstat'ed.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
/** S_ISVTX, which Node's fs.constants does not carry. */
const STICKY_BIT = 0o1000;

export interface PrivateDirOptions {
  /**
   * The base folder may itself be a link its owner made (a home on another disk); folders
   * inside the store's folder (the archive) may not.
   */
  allowLink?: boolean;
}

/** The uid files must belong to, or undefined where the platform has no uids. */
export function expectedOwner(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** lstat that answers undefined for a missing path (also one under a file: ENOTDIR). */
export function lstatIfExists(target: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Throws UnsafePathError when `target` exists and is a symbolic link. */
export function assertNotLink(target: string): void {
  if (lstatIfExists(target)?.isSymbolicLink()) {
    throw new UnsafePathError(target, 'is a symbolic link; the store never follows links inside its folder');
  }
}

/** The file or folder belongs to this process's user (always true where there are no uids). */
export function ownedByThisUser(stat: fs.Stats): boolean {
  const uid = expectedOwner();
  return uid === undefined || stat.uid === uid;
}

/** Throws UnsafePathError when the file or folder belongs to another user. */
export function assertOwned(target: string, stat: fs.Stats): void {
  const uid = expectedOwner();
  if (!ownedByThisUser(stat)) {
    throw new UnsafePathError(
      target,
      `is owned by uid ${stat.uid}, not by this process's uid ${uid}; ` +
        `give it to this user (chown ${uid} '${target}') or use another folder`,
    );
  }
}

/**
 * Create the folder (and parents) owner-only, and tighten it if it already existed wider.
 * Refused: a link (unless `allowLink`, and then only one made by this user or root, to a
 * folder of this user), a folder of another user, and a shared folder with the sticky bit
 * (/tmp and the like), which must never be chmodded and where other users can plant names.
 */
export function ensurePrivateDir(dir: string, options: PrivateDirOptions = {}): void {
  const link = lstatIfExists(dir);
  if (link?.isSymbolicLink()) {
    if (!options.allowLink) {
      throw new UnsafePathError(dir, 'is a symbolic link; the store never follows links inside its folder');
    }
    assertLinkMadeByOwner(dir, link);
  } else {
    // Fails (EEXIST, a StorageError) when a file stands where the folder should be.
    fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  }
  const linkStat = fs.lstatSync(dir);
  const stat = linkStat.isSymbolicLink() ? statThroughLink(dir) : linkStat;
  if (!stat.isDirectory()) throw new UnsafePathError(dir, 'is not a folder');
  assertOwned(dir, stat);
  if ((stat.mode & STICKY_BIT) !== 0) {
    throw new UnsafePathError(
      dir,
      'is a shared folder (sticky bit, like /tmp); use a folder of your own inside it',
    );
  }
  if ((stat.mode & 0o777) === PRIVATE_DIR_MODE) return;
  // A link the owner made for the base folder is opened through; anything else is not.
  const flags = O_RDONLY | O_DIRECTORY | (options.allowLink ? 0 : O_NOFOLLOW);
  fchmodOpened(dir, flags, stat, PRIVATE_DIR_MODE);
}

/**
 * The checks of ensurePrivateDir and ensurePrivateFile for a store that is only read: the
 * same refusals (a link inside the folder, a file or folder of another user, a base link
 * made by someone else or pointing nowhere), and nothing created or chmodded.
 */
export function assertSafeToRead(dbPath: string): void {
  const dir = path.dirname(dbPath);
  const link = lstatIfExists(dir);
  if (!link) return;
  if (link.isSymbolicLink()) assertLinkMadeByOwner(dir, link);
  const stat = link.isSymbolicLink() ? statThroughLink(dir) : link;
  if (!stat.isDirectory()) throw new UnsafePathError(dir, 'is not a folder');
  assertOwned(dir, stat);
  for (const file of storeFiles(dbPath)) checkedFile(file);
}

/** A link as the base folder: its owner (or root, who could do anything anyway) made it. */
function assertLinkMadeByOwner(dir: string, link: fs.Stats): void {
  const uid = expectedOwner();
  if (uid !== undefined && link.uid !== uid && link.uid !== 0) {
    throw new UnsafePathError(
      dir,
      `is a symbolic link owned by uid ${link.uid}, not by this process's uid ${uid}; ` +
        'only a link you made yourself may stand for the store folder',
    );
  }
}

function statThroughLink(dir: string): fs.Stats {
  try {
    return fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UnsafePathError(
        dir,
        `is a symbolic link to ${fs.readlinkSync(dir)}, which does not exist; the store does not create it`,
      );
    }
    throw error;
  }
}

/**
 * Create the database file 0600 before SQLite does (SQLite would use 0644 less umask);
 * SQLite then gives its -wal and -shm the same mode. Existing files and companions are
 * checked (no link, a regular file, ours) and tightened, since Node's `mode` is ignored
 * for paths that exist.
 */
export function ensurePrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const f of storeFiles(file)) ensurePrivateExisting(f);
}

/** The database file and the companions SQLite keeps beside it. */
function storeFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`];
}

/** An existing file (if any), checked: a regular file of ours, not a link; anything else is refused. */
export function checkedFile(file: string): fs.Stats | undefined {
  const stat = lstatIfExists(file);
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) {
    throw new UnsafePathError(file, 'is a symbolic link; the store never follows links inside its folder');
  }
  if (!stat.isFile()) throw new UnsafePathError(file, 'is not a regular file');
  assertOwned(file, stat);
  return stat;
}

/** Check an existing file (if any) is a regular file of ours, not a link, and make it 0600. */
export function ensurePrivateExisting(file: string): void {
  const stat = checkedFile(file);
  if (stat && (stat.mode & 0o777) !== PRIVATE_FILE_MODE) {
    fchmodOpened(file, O_RDONLY | O_NOFOLLOW, stat, PRIVATE_FILE_MODE);
  }
}

/** fchmod through a descriptor, refusing if what opened is not what lstat saw (a swap). */
function fchmodOpened(target: string, flags: number, expected: fs.Stats, mode: number): void {
  let fd: number;
  try {
    fd = fs.openSync(target, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new UnsafePathError(
        target,
        'is a symbolic link; the store never follows links inside its folder',
      );
    }
    throw error;
  }
  try {
    const opened = fs.fstatSync(fd);
    if (opened.ino !== expected.ino || opened.dev !== expected.dev) {
      throw new UnsafePathError(target, 'changed while it was being checked');
    }
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}
