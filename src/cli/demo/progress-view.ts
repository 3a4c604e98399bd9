import { SingleBar } from 'cli-progress';
import type { Output } from '../output';

export interface ProgressState {
  phase: string;
  filesDone: number;
  filesTotal: number;
  /** Shown after the files in place of the bar's own ETA (see ProgressViewOptions.eta), e.g. ` | 40/s | 12s left`. */
  detail?: string;
}

export interface ProgressViewOptions {
  /** The bar's ETA, from the pace of its own updates (default); false shows `detail` instead. */
  eta?: boolean;
}

/** How the demo shows a sync moving: a live bar for a person, plain lines otherwise. */
export interface ProgressView {
  update(percent: number, state: ProgressState): void;
  /** Leave the bar (or log) finished, so what follows starts on a line of its own. */
  stop(): void;
}

export function createProgressView(out: Output, options: ProgressViewOptions = {}): ProgressView {
  return out.interactive ? new BarView(out, options) : new LineView(out);
}

/** A cli-progress bar on the terminal, redrawn in place. */
export class BarView implements ProgressView {
  private readonly bar: SingleBar;
  private started = false;

  constructor(out: Output, options: ProgressViewOptions = {}) {
    const bar = out.style('cyan', '{bar}');
    const tail = options.eta === false ? '{detail}' : ' | ETA {eta_formatted}';
    this.bar = new SingleBar({
      stream: out.stdout,
      format: `  ${bar} {percentage}% | {phase} | {files} files${tail}`,
      barsize: Math.max(10, Math.min(30, out.width - 60)),
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      fps: 20,
      etaBuffer: 30,
    });
  }

  update(percent: number, state: ProgressState): void {
    const payload = {
      phase: state.phase.padEnd(17),
      files: `${state.filesDone}/${state.filesTotal}`,
      detail: state.detail ?? '',
    };
    if (!this.started) {
      this.bar.start(100, percent, payload);
      this.started = true;
    } else {
      this.bar.update(percent, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/** One line per phase and per 10%: readable in a log, a pipe or a test. */
class LineView implements ProgressView {
  private phase = '';
  private tenth = -1;

  constructor(private readonly out: Output) {}

  update(percent: number, state: ProgressState): void {
    const tenth = Math.floor(percent / 10);
    if (state.phase === this.phase && tenth === this.tenth) return;
    this.phase = state.phase;
    this.tenth = tenth;
    this.out.line(
      `  ${String(Math.floor(percent)).padStart(3)}%  ${state.phase.padEnd(17)}  ${state.filesDone}/${state.filesTotal} files`,
    );
  }

  stop(): void {}
}
