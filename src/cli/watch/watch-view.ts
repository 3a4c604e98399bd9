import { formatDurationShort } from '../../presentation/durations';
import { BarView } from '../demo/progress-view';
import type { Output } from '../output';
import type { WatchSample } from './sync-follower';

/**
 * How `status --watch` shows a sync it follows: a live bar for a person at a terminal,
 * a plain line per change in a pipe or log, one JSON object per line under --json.
 */
export interface WatchView {
  /** Once, before the first look. */
  begin(projectId: string, first: WatchSample): void;
  show(sample: WatchSample): void;
  /** The sync ended (sample.status says how); `exitCode` is what the command exits with. */
  end(sample: WatchSample, exitCode: number): void;
  /** The person stopped watching (Ctrl-C); the sync goes on. */
  stopped(last: WatchSample, exitCode: number): void;
}

export function createWatchView(out: Output): WatchView {
  if (out.json) return new JsonWatch(out);
  return out.interactive ? new BarWatch(out) : new LineWatch(out);
}

/** `40.0/s | 12s left`: the rate and the time left, where known. */
export function paceText(sample: WatchSample): string {
  const parts: string[] = [];
  if (sample.rate !== null && sample.rate > 0) parts.push(`${sample.rate.toFixed(1)}/s`);
  parts.push(
    sample.timeLeftMs === null ? 'time left unknown' : `${formatDurationShort(sample.timeLeftMs)} left`,
  );
  return parts.join(' | ');
}

export function endText(sample: WatchSample): string {
  const id = sample.jobId.slice(0, 8);
  const where = `${Math.floor(sample.percent)}% in ${sample.phase ?? 'no phase'}, ${sample.filesProcessed}/${sample.totalFiles} files`;
  const after = formatDurationShort(sample.elapsedMs);
  switch (sample.status) {
    case 'completed':
      return `Sync ${id} completed in ${after} (${sample.filesProcessed}/${sample.totalFiles} files).`;
    case 'failed':
      return `Sync ${id} failed at ${where}, after ${after}.`;
    case 'cancelled':
      return `Sync ${id} was cancelled at ${where}, after ${after}.`;
    default:
      return `Sync ${id} was interrupted at ${where}: its process ended without finishing it (cidx-progress resume offers it).`;
  }
}

const STOPPED = 'Stopped watching; the sync goes on.';

function beginText(projectId: string, first: WatchSample): string {
  return `Following sync ${first.jobId.slice(0, 8)} of ${projectId} (Ctrl-C stops watching, not the sync).`;
}

class JsonWatch implements WatchView {
  constructor(private readonly out: Output) {}
  private write(value: object): void {
    this.out.stdout.write(`${JSON.stringify(value)}\n`);
  }
  begin(): void {}
  show(sample: WatchSample): void {
    this.write({ type: 'progress', ...sample });
  }
  end(sample: WatchSample, exitCode: number): void {
    this.write({ type: 'end', ...sample, exitCode });
  }
  stopped(last: WatchSample, exitCode: number): void {
    this.write({ type: 'stopped', jobId: last.jobId, exitCode });
  }
}

/** A line whenever the phase, the whole percent or the file count changes. */
class LineWatch implements WatchView {
  private last = '';
  constructor(private readonly out: Output) {}
  begin(projectId: string, first: WatchSample): void {
    this.out.line(beginText(projectId, first));
  }
  show(sample: WatchSample): void {
    const key = `${sample.phase}|${Math.floor(sample.percent)}|${sample.filesProcessed}`;
    if (key === this.last) return;
    this.last = key;
    this.out.line(
      `  ${String(Math.floor(sample.percent)).padStart(3)}%  ${(sample.phase ?? '-').padEnd(17)}  ` +
        `${sample.filesProcessed}/${sample.totalFiles} files  ${paceText(sample)}`,
    );
  }
  end(sample: WatchSample): void {
    this.out.line(endText(sample));
  }
  stopped(): void {
    this.out.line(STOPPED);
  }
}

/** The demo's cli-progress bar, with the rate and time left where the demo shows its ETA. */
class BarWatch implements WatchView {
  private readonly bar: BarView;
  constructor(private readonly out: Output) {
    this.bar = new BarView(out, { eta: false });
  }
  begin(projectId: string, first: WatchSample): void {
    this.out.line(beginText(projectId, first));
  }
  show(sample: WatchSample): void {
    this.bar.update(sample.percent, {
      phase: sample.phase ?? '-',
      filesDone: sample.filesProcessed,
      filesTotal: sample.totalFiles,
      detail: ` | ${paceText(sample)}`,
    });
  }
  end(sample: WatchSample): void {
    // The bar's last look is the sync's last state (100% when it completed).
    this.show(sample);
    this.bar.stop();
    this.out.line(this.out.style(sample.status === 'completed' ? 'green' : 'yellow', endText(sample)));
  }
  stopped(): void {
    this.bar.stop();
    this.out.line(STOPPED);
  }
}
