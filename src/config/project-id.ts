import { ValidationError } from '../errors';

/**
 * A project id becomes a file name, so it is held to a shape that cannot name anything
 * but one file in the base folder: it starts with a letter or digit (no `.`, `..` or
 * hidden files), contains no separator or NUL, and is at most 128 characters.
 * drizzle.config.ts repeats this pattern; keep the two in step.
 */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertProjectId(projectId: unknown): string {
  if (typeof projectId !== 'string' || !PROJECT_ID_PATTERN.test(projectId)) {
    throw new ValidationError(
      [
        {
          path: 'projectId',
          message:
            'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
        },
      ],
      'invalid project id',
    );
  }
  return projectId;
}
