import { PhaseTimer } from '../../../src/services/recording/phase-timer';

describe('PhaseTimer', () => {
  it('counts no time after stop against the phase that was running', () => {
    let mono = 5000;
    const timer = new PhaseTimer(() => mono);
    timer.enter('Git Fetch');
    mono += 100;
    timer.stop();
    mono += 50;
    expect(timer.durations()).toEqual({ 'Git Fetch': 100 });
  });
});
