import fc from 'fast-check';
import { ValidationError } from '../../../src/errors';
import { parseProgressUpdate, plainReport } from '../../../src/services/recording/progress-update-parse';
import { progressUpdateSchema } from '../../../src/services/recording/recording-input';

// update() checks the common report by hand and leaves the rest to zod's schema, which is
// the rule. Whatever the input, the answer must be zod's: the same ValidationError or the
// same value. Replay a failure with FC_SEED=<seed printed by fast-check>.
const SEED = Number(process.env.FC_SEED ?? 20261207);

const report = {
  phase: 'Indexing Files',
  percent: 50,
  phasePercent: 40,
  filesProcessed: 10,
  totalFiles: 20,
  rate: 2.5,
};

/** Numbers at and across every bound the schema has. */
const edgyNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    99.5,
    100,
    100.0001,
    -1,
    -0.5,
    2 ** 53 - 1,
    2 ** 53,
    NaN,
    Infinity,
    -Infinity,
    0.5,
  ),
  fc.double(),
  fc.integer({ min: -5, max: 200 }),
);
const edgyValue = fc.oneof(
  { weight: 6, arbitrary: edgyNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'x', 'Indexing Files', 'p'.repeat(100), 'p'.repeat(101), '😀'.repeat(50)),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, '5', 5n, [], {}, { a: 1 }) },
);
const FIELD_NAMES = ['phase', 'percent', 'phasePercent', 'filesProcessed', 'totalFiles', 'rate'] as const;

/** Reports near the valid one: fields replaced, dropped or added, and other kinds of object. */
const candidate = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), edgyValue, { maxKeys: 3 }),
    fc.subarray([...FIELD_NAMES], { maxLength: 2 }),
    fc.option(fc.constantFrom('extra', 'checkpointData', '__proto__', 'constructor'), { nil: undefined }),
    fc.constantFrom('plain', 'null-prototype', 'class', 'array', 'not-an-object'),
  )
  .map(([replaced, dropped, extraKey, shape]): unknown => {
    const fields: Record<string, unknown> = { ...report, ...replaced };
    for (const name of dropped) delete fields[name];
    if (extraKey !== undefined)
      Object.defineProperty(fields, extraKey, { value: { a: 1 }, enumerable: true });
    if (shape === 'null-prototype') return Object.assign(Object.create(null), fields);
    if (shape === 'class') return Object.assign(new (class Report {})(), fields);
    if (shape === 'array') return Object.assign([], fields);
    if (shape === 'not-an-object') return fields.phase;
    return fields;
  });

function zodAnswer(input: unknown): { ok: true; value: unknown } | { ok: false } {
  const result = progressUpdateSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false };
}

function ourAnswer(input: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseProgressUpdate(input) };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { ok: false };
  }
}

describe("update()'s input check", () => {
  it("gives zod's answer for any report near the valid one", () => {
    fc.assert(
      fc.property(candidate, (input) => {
        expect(ourAnswer(input)).toEqual(zodAnswer(input));
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });

  it('never takes by hand a report that zod refuses', () => {
    fc.assert(
      fc.property(candidate, (input) => {
        if (plainReport(input) !== null) expect(zodAnswer(input).ok).toBe(true);
      }),
      { seed: SEED + 1, numRuns: 5000 },
    );
  });

  it('takes the common report by hand, at every bound the schema allows, as a copy', () => {
    const bounds = [
      report,
      { ...report, phase: 'p', percent: 0, phasePercent: 100, rate: 0 },
      { ...report, phase: 'p'.repeat(100), percent: 100, phasePercent: 0 },
      { ...report, filesProcessed: 0, totalFiles: 0 },
      { ...report, filesProcessed: 7, totalFiles: 0 },
      { ...report, filesProcessed: 20, totalFiles: 20 },
      { ...report, filesProcessed: 2 ** 53 - 1, totalFiles: 2 ** 53 - 1, rate: 1e300 },
    ];
    for (const input of bounds) {
      const taken = plainReport(input);
      expect(taken).toEqual(input);
      expect(taken).not.toBe(input);
    }
  });

  it('has the schema allow as many files processed as the total, and any count against a total of 0', () => {
    for (const counts of [
      { filesProcessed: 20, totalFiles: 20 },
      { filesProcessed: 7, totalFiles: 0 },
    ]) {
      expect(progressUpdateSchema.safeParse({ ...report, ...counts }).success).toBe(true);
    }
    expect(progressUpdateSchema.safeParse({ ...report, filesProcessed: 21, totalFiles: 20 }).success).toBe(
      false,
    );
  });

  it.each([
    ['an empty phase', { phase: '' }],
    ['a phase of 101 characters', { phase: 'p'.repeat(101) }],
    ['a percent as text', { percent: '50' }],
    ['a percent under 0', { percent: -0.5 }],
    ['a percent over 100', { percent: 100.5 }],
    ['a phase percent under 0', { phasePercent: -1 }],
    ['a phase percent over 100', { phasePercent: 101 }],
    ['a fractional count', { filesProcessed: 1.5 }],
    ['a negative count', { filesProcessed: -1 }],
    ['a negative total', { totalFiles: -1, filesProcessed: 0 }],
    ['an unsafe count', { totalFiles: 2 ** 53 }],
    ['a negative rate', { rate: -1 }],
    ['an infinite rate', { rate: Infinity }],
    ['NaN as a rate', { rate: NaN }],
    ['more processed than the total', { filesProcessed: 21 }],
  ])("refuses %s, in zod's words", (_what, change) => {
    const input = { ...report, ...change };
    expect(plainReport(input)).toBeNull();
    expect(() => parseProgressUpdate(input)).toThrow(ValidationError);
    expect(zodAnswer(input).ok).toBe(false);
  });

  it('leaves to zod a report with a field missing, one more, or caller data', () => {
    const { rate: _rate, ...withoutRate } = report;
    expect(plainReport(withoutRate)).toBeNull();
    expect(plainReport({ ...report, extra: 1 })).toBeNull();
    expect(plainReport({ ...report, checkpointData: { step: 3 } })).toBeNull();
    expect(parseProgressUpdate({ ...report, checkpointData: { step: 3 } })).toEqual({
      ...report,
      checkpointData: { step: 3 },
    });
    const ownPrototype = Object.assign(Object.create({ rate: 1 }), withoutRate);
    expect(plainReport(ownPrototype)).toBeNull();
    expect(parseProgressUpdate(ownPrototype)).toEqual({ ...withoutRate, rate: 1 });
  });
});
