import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { UnusableCommitError } from '../../untrusted-checkpoint';
import { filePathSchema } from '../../validation/file-paths';
import { filePathProblem } from '../../validation/file-paths';

/** One line of `git diff --name-status`: A, M, D, T, or R/C with the path it came from. */
export const fileChangeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['A', 'M', 'D', 'T']), path: filePathSchema }).strict(),
  z.object({ status: z.enum(['R', 'C']), from: filePathSchema, path: filePathSchema }).strict(),
]);
export type FileChange = z.infer<typeof fileChangeSchema>;
export const fileChangesSchema = z.array(fileChangeSchema);

export { UnusableCommitError };

export interface GitChanges {
  head: string;
  changes: FileChange[];
  /**
   * File names in the diff that are not valid UTF-8: a JavaScript string cannot hold
   * them, so they are left out of `changes` (a rename to or from one keeps its other,
   * readable side as an add or a delete). The resume warns once with this count.
   */
  unreadable: number;
  /**
   * File names git can hold on Linux that the path rules refuse (a `..` between
   * backslashes, a drive letter, a leading `\\`: they would name another place on
   * Windows): left out the same way, and counted in the same warning.
   */
  refused: number;
}

/** Large repositories print long diffs; the default 1 MiB buffer would cut them. */
const MAX_GIT_OUTPUT = 512 * 1024 * 1024;

function gitBytes(repoDir: string, args: string[]): Buffer {
  // execFile, never a shell: nothing in args is interpreted.
  return execFileSync('git', ['-C', repoDir, ...args], {
    maxBuffer: MAX_GIT_OUTPUT,
    // Piped, not inherited: git's "fatal: …" is an answer here, never text on the caller's terminal.
    // Stryker disable next-line ArrayDeclaration: equivalent, [] pipes all three and stdin gets no input
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function git(repoDir: string, args: string[]): string {
  return gitBytes(repoDir, args).toString('utf8');
}

function succeeds(repoDir: string, args: string[]): boolean {
  try {
    git(repoDir, args);
    return true;
  } catch {
    return false;
  }
}

/**
 * What changed in the repository between the checkpoint's commit and HEAD. The commit
 * must still exist and be an ancestor of HEAD; after a rebase or force-push it is not,
 * and nothing recorded against it can be trusted.
 */
export function changesSince(repoDir: string, commit: string): GitChanges {
  let head: string;
  try {
    head = git(repoDir, ['rev-parse', '--verify', 'HEAD^{commit}']).trim();
  } catch (error) {
    // The message is all a caller sees (the plan's reason): say when git itself is missing.
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'git was not found on PATH'
        : `${repoDir} is not a git repository with a HEAD commit`;
    throw new UnusableCommitError(why);
  }
  // The commit is validated as hex before it gets here, so it cannot be read as an option.
  if (!succeeds(repoDir, ['cat-file', '-e', `${commit}^{commit}`])) {
    throw new UnusableCommitError(`the checkpoint's commit ${commit} no longer exists in the repository`);
  }
  if (!succeeds(repoDir, ['merge-base', '--is-ancestor', commit, 'HEAD'])) {
    throw new UnusableCommitError(
      `the checkpoint's commit ${commit} is not an ancestor of HEAD ${head.slice(0, 12)} (history was rewritten)`,
    );
  }
  // -z: names come out verbatim, NUL-terminated, never quoted (newlines, tabs, quotes and all).
  const output = gitBytes(repoDir, [
    'diff',
    '--name-status',
    '-z',
    '-M',
    '--no-ext-diff',
    commit,
    'HEAD',
    '--',
  ]);
  return { head, ...parseNameStatus(output) };
}

// ignoreBOM: a name may start with U+FEFF; as a byte-order mark it would be dropped, naming another file.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A name from git as a string, or null when it is not valid UTF-8. */
function nameOf(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Parse `git diff --name-status -z`: `S\0path\0`, or `R100\0from\0to\0` for renames and
 * copies. Works on bytes, so a name that is not UTF-8 is found and counted rather than
 * mangled into a different path.
 */
export function parseNameStatus(output: Buffer): {
  changes: FileChange[];
  unreadable: number;
  refused: number;
} {
  const fields: Buffer[] = [];
  // Stryker disable next-line EqualityOperator: at the end indexOf finds nothing, so <= stops the same way
  for (let at = 0; at < output.length;) {
    const end = output.indexOf(0, at);
    // Stryker disable next-line EqualityOperator: 0 would be a field before the first NUL of git's output, which always starts with a status letter
    if (end < 0) break; // every field is NUL-terminated: a tail without one is cut output
    fields.push(output.subarray(at, end));
    at = end + 1;
  }
  const changes: FileChange[] = [];
  let unreadable = 0;
  let refused = 0;
  const name = (bytes: Buffer | undefined) => {
    if (bytes === undefined) return null; // output cut short: nothing to count
    const text = nameOf(bytes);
    if (text === null) unreadable++;
    else if (filePathProblem(text) !== null) {
      refused++;
      return null;
    }
    return text;
  };
  for (let i = 0; i < fields.length;) {
    const status = String.fromCharCode(fields[i++]![0] ?? 0);
    if (status === 'R' || status === 'C') {
      const from = name(fields[i++]);
      const path = name(fields[i++]);
      if (from !== null && path !== null) changes.push({ status, from, path });
      else if (path !== null) changes.push({ status: 'A', path });
      else if (from !== null && status === 'R') changes.push({ status: 'D', path: from });
    } else if (status === 'A' || status === 'M' || status === 'D' || status === 'T') {
      const path = name(fields[i++]);
      if (path !== null) changes.push({ status, path });
    } else {
      i++; // U (unmerged) or X: no file content to index from a commit diff
    }
  }
  return { changes, unreadable, refused };
}
