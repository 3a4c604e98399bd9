import fs from 'node:fs';
import path from 'node:path';
import { expectedOwner, lstatIfExists } from '../../db/file-modes';
import type { DoctorCheck } from './doctor-check';

/**
 * `doctor`'s look at the store folder and files, by lstat, never following a link: what
 * each one is, who owns it and its mode. The store refuses a link where a store file
 * should be and anything owned by another user (UNSAFE_PATH); doctor reports the same
 * things as a failed check, and does not open a file the store would refuse.
 */
export interface PathFact {
  role: 'folder' | 'file' | '-wal' | '-shm' | '-journal';
  path: string;
  kind: 'folder' | 'file' | 'link' | 'other' | 'missing';
  /** For a link: where it points (as written in the link), and who made it. */
  linkTarget: string | null;
  linkUid: number | null;
  /** Owner and mode bits (with the sticky bit); of the link's target for the base folder (which may be a link). */
  uid: number | null;
  mode: number | null;
}

export interface PathSafety {
  /** This process's uid, or null where the platform has none. */
  processUid: number | null;
  entries: PathFact[];
}

const STICKY_BIT = 0o1000;

const COMPANIONS = [
  ['file', ''],
  ['-wal', '-wal'],
  ['-shm', '-shm'],
  ['-journal', '-journal'],
] as const;

export function inspectPaths(dbPath: string): PathSafety {
  const folder = path.dirname(dbPath);
  const entries = [
    factOf('folder', folder, true),
    ...COMPANIONS.map(([role, suffix]) => factOf(role, dbPath + suffix, false)),
  ];
  return { processUid: expectedOwner() ?? null, entries };
}

function factOf(role: PathFact['role'], target: string, followLink: boolean): PathFact {
  const link = lstatIfExists(target);
  if (!link)
    return { role, path: target, kind: 'missing', linkTarget: null, linkUid: null, uid: null, mode: null };
  const isLink = link.isSymbolicLink();
  const linkTarget = isLink ? fs.readlinkSync(target) : null;
  // The base folder may be a link its owner made: describe where it leads.
  const stat = isLink && followLink ? statIfExists(target) : link;
  const kind = isLink && !followLink ? 'link' : kindOf(stat);
  return {
    role,
    path: target,
    kind,
    linkTarget,
    linkUid: isLink ? link.uid : null,
    uid: stat?.uid ?? null,
    mode: stat ? stat.mode & 0o7777 : null,
  };
}

function statIfExists(target: string): fs.Stats | undefined {
  try {
    return fs.statSync(target);
  } catch {
    return undefined;
  }
}

function kindOf(stat: fs.Stats | undefined): PathFact['kind'] {
  if (!stat) return 'missing';
  if (stat.isDirectory()) return 'folder';
  return stat.isFile() ? 'file' : 'other';
}

/** Why the store would refuse this folder or file, or null. */
function problemOf(fact: PathFact, uid: number | null): string | null {
  const what = fact.role === 'folder' ? `the folder ${fact.path}` : fact.path;
  if (fact.kind === 'link') return `${what} is a symbolic link to ${fact.linkTarget}`;
  if (fact.role === 'folder' && fact.kind !== 'folder') {
    return fact.linkTarget
      ? `${what} is a link to ${fact.linkTarget}, which is not a folder`
      : `${what} is not a folder`;
  }
  if (fact.role !== 'folder' && (fact.kind === 'other' || fact.kind === 'folder'))
    return `${what} is not a regular file`;
  if (fact.linkUid !== null && uid !== null && fact.linkUid !== uid && fact.linkUid !== 0) {
    return `${what} is a link made by uid ${fact.linkUid}, not ${uid} (this user)`;
  }
  if (fact.kind !== 'missing' && uid !== null && fact.uid !== uid)
    return `${what} is owned by uid ${fact.uid}, not ${uid} (this user)`;
  if (fact.role === 'folder' && (fact.mode! & STICKY_BIT) !== 0)
    return `${what} is a shared folder (sticky bit, like /tmp)`;
  return null;
}

/** Links and owners: a failed check when the store would refuse to open the file. */
export function linksAndOwnersCheck(safety: PathSafety): DoctorCheck {
  const problems = safety.entries
    .map((fact) => problemOf(fact, safety.processUid))
    .filter((p): p is string => p !== null);
  if (problems.length === 0) {
    const folder = safety.entries[0]!;
    const via = folder.linkTarget
      ? `; the folder is a link to ${folder.linkTarget} (allowed: a link its owner made)`
      : '';
    return {
      name: 'links and owners',
      status: 'ok',
      detail: `no links to store files, everything owned by uid ${safety.processUid ?? '-'}${via}`,
      advice: null,
    };
  }
  return {
    name: 'links and owners',
    status: 'fail',
    detail: problems.join('; '),
    advice:
      'the store refuses to open these (UNSAFE_PATH) rather than write or chmod something outside its folder: ' +
      'replace the link with the real file (or remove it), and give what belongs to another user to this one ' +
      `(chown ${safety.processUid ?? '<uid>'} <path>), run as its owner, or use another --dir`,
  };
}

/** The first reason the store would refuse the file, which doctor then does not open either. */
export function refusalReason(safety: PathSafety): string | null {
  for (const fact of safety.entries) {
    const problem = problemOf(fact, safety.processUid);
    if (problem) return problem;
  }
  return null;
}
