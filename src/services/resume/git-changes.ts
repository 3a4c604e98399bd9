import { execFileSync } from 'node:child_process';
import { z } from 'zod';
import { filePathSchema } from '../../validation/file-paths';

/** One line of `git diff --name-status`: A, M, D, T, or R/C with the path it came from. */
export const fileChangeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['A', 'M', 'D', 'T']), path: filePathSchema }).strict(),
  z.object({ status: z.enum(['R', 'C']), from: filePathSchema, path: filePathSchema }).strict(),
]);
export type FileChange = z.infer<typeof fileChangeSchema>;
export const fileChangesSchema = z.array(fileChangeSchema);

/** The checkpoint's commit cannot be built on: the plan must say a full sync is needed. */
export class UnusableCommitError extends Error {}

export interface GitChanges {
  head: string;
  changes: FileChange[];
}

/** Large repositories print long diffs; the default 1 MiB buffer would cut them. */
const MAX_GIT_OUTPUT = 512 * 1024 * 1024;

function git(repoDir: string, args: string[]): string {
  // execFile, never a shell: nothing in args is interpreted.
  return execFileSync('git', ['-C', repoDir, ...args], {
    encoding: 'utf8',
    maxBuffer: MAX_GIT_OUTPUT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    throw new UnusableCommitError(`${repoDir} is not a git repository with a HEAD commit`, { cause: error });
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
  const output = git(repoDir, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', commit, 'HEAD', '--']);
  return { head, changes: parseNameStatus(output) };
}

/** Parse `git diff --name-status -z`: `S\0path\0`, or `R100\0from\0to\0` for renames and copies. */
export function parseNameStatus(output: string): FileChange[] {
  const fields = output.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i < fields.length - 1; ) {
    const status = fields[i++]!.charAt(0);
    if (status === 'R' || status === 'C') {
      changes.push({ status, from: fields[i++]!, path: fields[i++]! });
    } else if (status === 'A' || status === 'M' || status === 'D' || status === 'T') {
      changes.push({ status, path: fields[i++]! });
    } else {
      i++; // U (unmerged) or X: no file content to index from a commit diff
    }
  }
  return changes;
}
