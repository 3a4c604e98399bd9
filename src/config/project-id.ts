import { ValidationError } from '../errors';

/**
 * A project id becomes a file name, `{id}.db`, so it is held to a shape that cannot name
 * anything but one file in the base folder, on Linux, macOS and Windows alike: it starts
 * with a letter or digit (no `.`, `..` or hidden files), contains no separator or NUL, is
 * at most 128 characters, does not end with `.` (Windows drops trailing dots and spaces,
 * so `a.` and `a` would be one file), and is not a Windows device name (CON, PRN, AUX,
 * NUL, COM0-9, LPT0-9, in any case, also with an extension: `nul.txt` opens the device).
 * drizzle.config.ts repeats this pattern, flags included; keep the two in step.
 */
export const PROJECT_ID_PATTERN =
  /^(?!(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$))[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9_-])?$/i;

/** The first part of a name (before any `.`) is a Windows device name. */
export const DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)/i;

/** Why `projectId` cannot be a project id, or null when it can. */
export function projectIdProblem(projectId: unknown): string | null {
  if (typeof projectId === 'string' && PROJECT_ID_PATTERN.test(projectId)) return null;
  if (typeof projectId === 'string' && DEVICE_NAME.test(projectId)) {
    return 'is a reserved device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, also with an extension)';
  }
  if (
    typeof projectId === 'string' &&
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(projectId) &&
    projectId.endsWith('.')
  ) {
    return 'must not end with "." (Windows drops it)';
  }
  return 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit';
}

export function assertProjectId(projectId: unknown): string {
  const problem = projectIdProblem(projectId);
  if (problem) throw new ValidationError([{ path: 'projectId', message: problem }], 'invalid project id');
  return projectId as string;
}
