import { ProcessSampler, processProbe } from '../../../src/services/recording/process-sampler';

/** A probe that reads back figures the test sets, on a monotonic clock the test moves. */
function scripted(start: { rssBytes: number; cpuMicros: number; mono: number }) {
  const now = { ...start };
  const sampler = new ProcessSampler(
    () => ({ rssBytes: now.rssBytes, cpuMicros: now.cpuMicros }),
    () => now.mono,
  );
  return { now, sampler };
}

describe('ProcessSampler', () => {
  it('gives the CPU percent of one core since the previous sample, not since the start', () => {
    // Started late on both clocks, so a difference taken the wrong way shows.
    const { now, sampler } = scripted({ rssBytes: 1000, cpuMicros: 7_000_000, mono: 90_000 });
    now.mono += 1000;
    now.cpuMicros += 250_000; // a quarter of one core over 1 s
    expect(sampler.sample()).toEqual({ memoryBytes: 1000, cpuPercent: 25 });
    now.mono += 2000;
    now.cpuMicros += 3_000_000; // one and a half cores over 2 s
    expect(sampler.sample()).toEqual({ memoryBytes: 1000, cpuPercent: 150 });
  });

  it('keeps the previous CPU percent when no time passed between two samples', () => {
    const { now, sampler } = scripted({ rssBytes: 1000, cpuMicros: 0, mono: 0 });
    now.mono += 1000;
    now.cpuMicros += 400_000;
    expect(sampler.sample().cpuPercent).toBe(40);
    now.cpuMicros += 1_000_000;
    expect(sampler.sample().cpuPercent).toBe(40);
  });

  it('reports the peak memory of the whole sync, not the latest reading', () => {
    const { now, sampler } = scripted({ rssBytes: 5000, cpuMicros: 0, mono: 0 });
    now.rssBytes = 9000;
    now.mono += 10;
    expect(sampler.sample().memoryBytes).toBe(9000);
    now.rssBytes = 3000;
    now.mono += 10;
    expect(sampler.metrics(4)).toEqual({ rate: 4, memoryUsage: 3000, cpuPercent: 0 });
    expect(sampler.summary().peakMemoryBytes).toBe(9000);
  });

  it('gives the mean CPU percent over the whole sync in the summary', () => {
    const { now, sampler } = scripted({ rssBytes: 1000, cpuMicros: 7_000_000, mono: 90_000 });
    now.mono += 1000;
    now.cpuMicros += 900_000;
    sampler.sample();
    now.mono += 3000;
    now.cpuMicros += 100_000; // 1 s of CPU over 4 s in all
    expect(sampler.summary()).toEqual({ peakMemoryBytes: 1000, meanCpuPercent: 25 });
  });

  it('gives a mean CPU percent of 0, not NaN, for a sync that took no time', () => {
    const { sampler } = scripted({ rssBytes: 1000, cpuMicros: 7_000_000, mono: 90_000 });
    expect(sampler.summary()).toEqual({ peakMemoryBytes: 1000, meanCpuPercent: 0 });
  });
});

describe('processProbe', () => {
  it('counts user and system CPU time together', () => {
    const cpu = jest.spyOn(process, 'cpuUsage').mockReturnValue({ user: 3000, system: 2000 });
    try {
      expect(processProbe().cpuMicros).toBe(5000);
    } finally {
      cpu.mockRestore();
    }
  });
});
