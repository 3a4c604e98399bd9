import { CorruptDatabaseError } from '../../src/errors';
import { readJsonRows } from '../../src/validation/rows';

describe('readJsonRows', () => {
  it('returns what the read returns', () => {
    expect(readJsonRows('x', () => [1, 2])).toEqual([1, 2]);
  });

  it('turns a JSON SyntaxError into CorruptDatabaseError naming where, keeping the cause', () => {
    let thrown: unknown;
    try {
      readJsonRows('checkpoint of job a', () => JSON.parse('{oops'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CorruptDatabaseError);
    expect(thrown).toMatchObject({ code: 'CORRUPT', cause: expect.any(SyntaxError) });
    expect((thrown as Error).message).toMatch(/^checkpoint of job a does not hold valid JSON: /);
  });

  it('lets every other error through unchanged', () => {
    const other = new TypeError('not a JSON problem');
    expect(() =>
      readJsonRows('x', () => {
        throw other;
      }),
    ).toThrow(other);
  });
});
