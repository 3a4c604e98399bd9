import { z } from 'zod';
import { ValidationError } from '../../src/errors';
import { parseInput } from '../../src/validation/parse';

describe('parseInput: bad input becomes one ValidationError naming each field', () => {
  it('names a nested field by its dotted path', () => {
    const schema = z.object({ progress: z.object({ phase: z.number() }) });
    const thrown = catchError(() => parseInput(schema, { progress: { phase: 'x' } }, 'update'));
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues).toEqual([
      { path: 'progress.phase', message: expect.stringMatching(/number/) },
    ]);
  });

  it('reports at most 20 issues, however many the input has', () => {
    const thrown = catchError(() =>
      parseInput(
        z.array(z.string()),
        Array.from({ length: 50 }, (_, i) => i),
        'paths',
      ),
    );
    const issues = (thrown as ValidationError).issues;
    expect(issues).toHaveLength(20);
    expect(issues[19]).toMatchObject({ path: '19' });
  });

  it('returns the parsed value when the input is good', () => {
    expect(parseInput(z.object({ a: z.number() }), { a: 1 }, 'x')).toEqual({ a: 1 });
  });
});

function catchError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}
