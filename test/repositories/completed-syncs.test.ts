import { type FiguresPassRow, NO_SYNCS, unpackFiguresPass } from '../../src/repositories/completed-syncs';

const NAMES = '["Fetch","Indexing"]';

/** Two syncs as FIGURES_PASS gives them: the second has its own phase names. */
function pass(overrides: Partial<FiguresPassRow> = {}): FiguresPassRow {
  return {
    syncs: 2,
    idSum: 3,
    commonNames: NAMES,
    startTimes: '[1000,2000]',
    durations: '[30,40]',
    files: '[5,null]',
    bytes: '[null,7]',
    phaseNames: '[0,["Other"]]',
    phaseMs: '[[10,20],[40]]',
    ...overrides,
  };
}

describe('unpackFiguresPass', () => {
  it('gives the syncs column by column, those with the common names sharing one list', () => {
    const syncs = unpackFiguresPass(pass())!;
    expect(syncs).toEqual({
      startTime: [1000, 2000],
      durationMs: [30, 40],
      files: [5, null],
      bytes: [null, 7],
      phaseNames: [['Fetch', 'Indexing'], ['Other']],
      phaseMs: [[10, 20], [40]],
    });
    const shared = unpackFiguresPass(pass({ phaseNames: '[0,0]', phaseMs: '[[1,2],[3,4]]' }))!;
    expect(shared.phaseNames[0]).toBe(shared.phaseNames[1]);
  });

  it('gives no syncs for an empty window, whatever the texts', () => {
    expect(unpackFiguresPass(pass({ syncs: 0, startTimes: null, phaseMs: null }))).toBe(NO_SYNCS);
  });

  it('keeps a fractional phase duration, as the report always read one', () => {
    expect(unpackFiguresPass(pass({ phaseMs: '[[0.25,20],[40]]' }))!.phaseMs[0]).toEqual([0.25, 20]);
  });

  it.each([
    ['start times that are not JSON', { startTimes: '[1000,' }],
    ['a missing column', { durations: null }],
    ['fewer values than syncs', { files: '[5]' }],
    ['more values than syncs', { bytes: '[1,2,3]' }],
    ['a column that is not an array', { durations: '{"0":30,"1":40}' }],
    ['a start that is not an integer', { startTimes: '[1000.5,2000]' }],
    ['a start past 2^53', { startTimes: '[9007199254740993,2000]' }],
    ['a negative duration', { durations: '[-30,40]' }],
    ['a duration that is text', { durations: '["30",40]' }],
    ['a negative file count', { files: '[-5,null]' }],
    ['a byte count that is fractional', { bytes: '[null,7.5]' }],
    ['common names that are not JSON', { commonNames: '["Fetch"' }],
    ['no common names for a sync that uses them', { commonNames: null }],
    ['names that are not all text', { phaseNames: '[0,[5]]', phaseMs: '[[10,20],[40]]' }],
    ['a name listed twice', { phaseNames: '[0,["A","A"]]', phaseMs: '[[10,20],[1,2]]' }],
    ['names that are neither 0 nor a list', { phaseNames: '[0,"Other"]' }],
    ['fewer durations than names', { phaseMs: '[[10],[40]]' }],
    ['more durations than names', { phaseMs: '[[10,20,30],[40]]' }],
    ['durations that are not a list', { phaseMs: '[{"Fetch":10},[40]]' }],
    ['a negative phase duration', { phaseMs: '[[10,-20],[40]]' }],
    ['a phase duration past 2^53 - 1', { phaseMs: '[[10,9007199254740992],[40]]' }],
    ['a phase duration that is null', { phaseMs: '[[10,null],[40]]' }],
  ])('gives null (the caller computes them) for %s', (_label, overrides) => {
    expect(unpackFiguresPass(pass(overrides))).toBeNull();
  });
});
