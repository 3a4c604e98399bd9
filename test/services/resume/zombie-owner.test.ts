import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { hostname } from 'node:os';
import { processExists } from '../../../src/services/liveness';
import { handEdit } from '../../support/hand-edit';
import {
  closeTestProgressStore,
  indexToStoryPoint,
  openTestProgressStore,
  repoPaths,
} from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

/**
 * A sync whose process was killed but not yet reaped (a zombie: its parent has not
 * waited for it, as when it was handed to an init that reaps lazily, or to a container's
 * pid 1 that never does) is dead. `kill(pid, 0)` still succeeds on a zombie, so the sync
 * looked alive: it was not offered for resume, the next sync started fresh and the
 * checkpoint's work was lost (found from the packed tarball: SIGKILL then a new run
 * within a few seconds resumed the lineage before last, every time).
 */
const tmp = useTempDir();
const onLinux = process.platform === 'linux' ? it : it.skip;

let parent: ChildProcess | undefined;
afterEach(() => {
  parent?.kill('SIGKILL');
  parent = undefined;
});

const stateOf = (pid: number): string | null => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
};

/** A process that has exited and that nobody reaps: the child of a parent that never waits. */
async function zombie(): Promise<number> {
  parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent!.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim()))),
  );
  for (let i = 0; i < 100 && stateOf(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(stateOf(pid)).toBe('Z');
  return pid;
}

describe('a sync whose owner is a zombie', () => {
  onLinux('the process does not exist for liveness', async () => {
    const pid = await zombie();
    expect(processExists(pid)).toBe(false);
    expect(processExists(process.pid)).toBe(true);
  });

  onLinux('is interrupted: offered for resume and listed as not alive', async () => {
    const opened = openTestProgressStore(tmp.path);
    const sync = opened.store.recording.startSync({
      jobId: 'job-1',
      gitCommit: 'abc1234'.padEnd(40, '0'),
      files: repoPaths(10),
    });
    indexToStoryPoint(sync, 4);
    closeTestProgressStore(opened.store);
    // As a killed process leaves it: still running, owned by its pid on this host.
    const pid = await zombie();
    handEdit(
      tmp.join('acme-api.db'),
      "UPDATE sync_history SET status = 'running', owner_pid = ?, owner_host = ?",
      {},
      pid,
      hostname(),
    );

    const { store } = openTestProgressStore(tmp.path, { clock: opened.clock });
    expect(store.resume.checkResumable()).toMatchObject({ jobId: 'job-1', canResume: true });
    expect(store.status.list()).toEqual([expect.objectContaining({ jobId: 'job-1', alive: false })]);
  });
});

describe('a live owner where /proc cannot be read', () => {
  // A chroot or sandbox without /proc mounted: every /proc/<pid>/stat is ENOENT. That
  // must not turn a process kill(pid, 0) found into one that exited: its running sync
  // would be called interrupted and offered for resume while it still writes.
  onLinux('still exists for liveness', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    parent = child;
    await new Promise((resolve) => child.once('spawn', resolve));
    const readFileSync = fs.readFileSync;
    const spy = jest.spyOn(fs, 'readFileSync').mockImplementation(((
      file: fs.PathOrFileDescriptor,
      ...rest
    ) => {
      if (typeof file === 'string' && file.startsWith('/proc/'))
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), {
          code: 'ENOENT',
        });
      return readFileSync(file, ...(rest as [BufferEncoding]));
    }) as typeof fs.readFileSync);
    try {
      expect(processExists(child.pid!)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
