import fs from 'node:fs';
import os from 'node:os';

/** The machine the figures came from: they mean little without it. */
export function machine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1]!.trim();
  } catch {
    // Not Linux: os.cpus() has the model.
  }
  const memory = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
  const betterSqlite = (require('better-sqlite3/package.json') as { version: string }).version;
  return (
    `machine: ${os.cpus().length} cpus (nproc ${os.availableParallelism()}), ${cpu}, ${memory} memory, ` +
    `${os.platform()} ${os.release()}, node ${process.version}, better-sqlite3 ${betterSqlite}, tmpdir ${os.tmpdir()}`
  );
}

/** Other work on the machine skews the tails (p99, max): say how busy it was. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
