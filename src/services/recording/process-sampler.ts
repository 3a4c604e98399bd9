import type { ProcessMetrics } from '../../validation/json-columns';

export interface ResourceSample {
  memoryBytes: number;
  cpuPercent: number;
}

/** Reads this process's resource use; injectable so tests can give known figures. */
export type ResourceProbe = () => { rssBytes: number; cpuMicros: number };

export const processProbe: ResourceProbe = () => {
  const cpu = process.cpuUsage();
  return { rssBytes: process.memoryUsage.rss(), cpuMicros: cpu.user + cpu.system };
};

/**
 * Resource use over a sync: peak memory and mean CPU since the sync started, plus the
 * latest reading for checkpoints. CPU percent is of one core, as `top` shows it.
 */
export class ProcessSampler {
  private readonly startCpu: number;
  private readonly startMono: number;
  private peakMemory = 0;
  private last: ResourceSample = { memoryBytes: 0, cpuPercent: 0 };
  private lastCpu: number;
  private lastMono: number;

  constructor(
    private readonly probe: ResourceProbe,
    private readonly monotonic: () => number,
  ) {
    const first = probe();
    this.startCpu = this.lastCpu = first.cpuMicros;
    this.startMono = this.lastMono = monotonic();
    this.peakMemory = first.rssBytes;
  }

  sample(): ResourceSample {
    const reading = this.probe();
    const now = this.monotonic();
    const wallMicros = (now - this.lastMono) * 1000;
    this.peakMemory = Math.max(this.peakMemory, reading.rssBytes);
    this.last = {
      memoryBytes: reading.rssBytes,
      cpuPercent:
        wallMicros > 0
          ? round1((100 * (reading.cpuMicros - this.lastCpu)) / wallMicros)
          : this.last.cpuPercent,
    };
    this.lastCpu = reading.cpuMicros;
    this.lastMono = now;
    return this.last;
  }

  metrics(rate: number): ProcessMetrics {
    const s = this.sample();
    return { rate, memoryUsage: s.memoryBytes, cpuPercent: s.cpuPercent };
  }

  summary(): { peakMemoryBytes: number; meanCpuPercent: number } {
    this.sample();
    const wallMicros = (this.lastMono - this.startMono) * 1000;
    return {
      peakMemoryBytes: this.peakMemory,
      meanCpuPercent: wallMicros > 0 ? round1((100 * (this.lastCpu - this.startCpu)) / wallMicros) : 0,
    };
  }
}

function round1(n: number): number {
  return Math.max(0, Math.round(n * 10) / 10);
}
