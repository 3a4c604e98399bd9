import type { z } from 'zod';
import { ValidationError } from '../errors';

/** Parse public input with zod; a failure becomes a ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, context: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.slice(0, 20).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
    context,
  );
}
