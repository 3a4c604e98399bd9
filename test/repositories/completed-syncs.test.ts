import {
  computedSyncs,
  type FiguresPassRow,
  NO_SYNCS,
  unpackFiguresPass,
} from '../../src/repositories/completed-syncs';

const NAMES = '["Fetch","Indexing"]';

/** Figures packed as the table holds them: 8-byte big-endian integers. */
function pack(...values: number[]): Buffer {
  const bytes = Buffer.alloc(8 * values.length);
  values.forEach((value, i) => bytes.writeBigInt64BE(BigInt(value), 8 * i));
  return bytes;
}

/** Two syncs as FIGURES_PASS gives them: the second has its own phase names and no file count. */
function pass(overrides: Partial<FiguresPassRow> = {}): FiguresPassRow {
  return {
    syncs: 2,
    idSum: 3,
    commonNames: NAMES,
    startTimes: '[1000,2000]',
    phaseNames: '[0,["Other"]]',
    lengths: '[40,32]',
    figures: Buffer.concat([pack(30, 5, -1, 10, 20), pack(40, -1, 7, 40)]),
    ...overrides,
  };
}

describe('unpackFiguresPass', () => {
  it('gives the syncs column by column, those with the common names sharing one list', () => {
    expect(unpackFiguresPass(pass())).toEqual({
      startTime: [1000, 2000],
      durationMs: [30, 40],
      files: [5, null],
      bytes: [null, 7],
      phaseNames: [['Fetch', 'Indexing'], ['Other']],
      phaseMs: [[10, 20], [40]],
    });
    const shared = unpackFiguresPass(
      pass({ phaseNames: '[0,0]', lengths: '[40,40]', figures: pack(1, 1, 1, 1, 2, 3, 3, 3, 3, 4) }),
    )!;
    expect(shared.phaseNames[0]).toBe(shared.phaseNames[1]);
    expect(shared.phaseMs).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('reads every integer JavaScript holds exactly, up to 2^53 - 1', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const syncs = unpackFiguresPass(
      pass({
        syncs: 1,
        startTimes: '[0]',
        phaseNames: '[0]',
        lengths: '[40]',
        figures: pack(max, 2 ** 32, 2 ** 32 - 1, 0, max),
      }),
    )!;
    expect(syncs).toMatchObject({
      durationMs: [max],
      files: [2 ** 32],
      bytes: [2 ** 32 - 1],
      phaseMs: [[0, max]],
    });
  });

  it('gives no syncs for an empty window, whatever the other values', () => {
    expect(unpackFiguresPass(pass({ syncs: 0, startTimes: null, figures: null }))).toBe(NO_SYNCS);
  });

  it.each([
    ['start times that are not JSON', { startTimes: '[1000,' }],
    ['no start times', { startTimes: null }],
    ['fewer start times than syncs', { startTimes: '[1000]' }],
    ['start times that are not an array', { startTimes: '{"0":1000,"1":2000}' }],
    ['a start that is not an integer', { startTimes: '[1000.5,2000]' }],
    ['a start past 2^53', { startTimes: '[9007199254740993,2000]' }],
    ['no figures', { figures: null }],
    ['figures that are text', { figures: 'AAAA' as unknown as Buffer }],
    ['no lengths', { lengths: null }],
    ['a length that does not fit the names', { lengths: '[48,24]' }],
    ['one figure too many at the end', { figures: Buffer.concat([pass().figures!, pack(1)]) }],
    ['one figure too few', { figures: pass().figures!.subarray(0, 64) }],
    [
      'a length that is not a whole figure',
      { lengths: '[40,33]', figures: Buffer.concat([pass().figures!, Buffer.alloc(1)]) },
    ],
    ['a negative duration', { figures: Buffer.concat([pack(-30, 5, -1, 10, 20), pack(40, -1, 7, 40)]) }],
    ['a file count below -1', { figures: Buffer.concat([pack(30, -2, -1, 10, 20), pack(40, -1, 7, 40)]) }],
    [
      'a byte count past 2^53 - 1',
      { figures: Buffer.concat([pack(30, 5, 2 ** 53, 10, 20), pack(40, -1, 7, 40)]) },
    ],
    [
      'a negative phase duration',
      { figures: Buffer.concat([pack(30, 5, -1, 10, -20), pack(40, -1, 7, 40)]) },
    ],
    [
      'a phase duration past 2^53 - 1',
      { figures: Buffer.concat([pack(30, 5, -1, 10, 2 ** 53), pack(40, -1, 7, 40)]) },
    ],
    ['common names that are not JSON', { commonNames: '["Fetch"' }],
    ['no common names for a sync that uses them', { commonNames: null }],
    ['common names that are not a list of text', { commonNames: '[1, 2]' }],
    ['names that are not all text', { phaseNames: '[0,[5]]' }],
    [
      'names one of which is not text',
      {
        phaseNames: '[0,["Other",5]]',
        lengths: '[40,40]',
        figures: pack(30, 5, -1, 10, 20, 40, -1, 7, 1, 2),
      },
    ],
    [
      'a name listed twice',
      { phaseNames: '[0,["A","A"]]', lengths: '[40,40]', figures: pack(30, 5, -1, 10, 20, 40, -1, 7, 1, 2) },
    ],
    ['names that are neither 0 nor a list', { phaseNames: '[0,"Other"]' }],
  ])('gives null (the caller computes them) for %s', (_label, overrides) => {
    expect(unpackFiguresPass(pass(overrides))).toBeNull();
  });
});

describe('computedSyncs', () => {
  it('keeps the phase durations that can be durations, a key written twice once with its last value', () => {
    const syncs = computedSyncs([
      [
        1000,
        30,
        5,
        null,
        '{"Fetch": 10, "Bad": -1, "Big": 9007199254740992, "Text": "x", "Fetch": 12, "Part": 0.5}',
      ],
      [2000, 40, null, 7, '[1, 2]'],
      [3000, 50, 1, 2, '{oops'],
      [4000, 60, 1, 2, null],
      [5000, 70, 1, 2, 'null'],
      [6000, 80, 1, 2, '{"Last": 9007199254740991}'],
    ]);
    expect(syncs).toEqual({
      startTime: [1000, 2000, 3000, 4000, 5000, 6000],
      durationMs: [30, 40, 50, 60, 70, 80],
      files: [5, null, 1, 1, 1, 1],
      bytes: [null, 7, 2, 2, 2, 2],
      phaseNames: [['Fetch', 'Part'], [], [], [], [], ['Last']],
      phaseMs: [[12, 0.5], [], [], [], [], [Number.MAX_SAFE_INTEGER]],
    });
  });
});
