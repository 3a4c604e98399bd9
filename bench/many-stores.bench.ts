/**
 * Many projects in one process, as a CIDX server keeps them: 200 stores open (default
 * options: automatic maintenance on, real clock), 20 of them syncing at once at one
 * update per second. Measured: the event loop's delay while they run
 * (perf_hooks.monitorEventLoopDelay), the process's CPU once they are idle, the timers
 * alive (so they do not pile up with the stores) and the file handles (three per open
 * store: the file, its WAL and its shared-memory index; none left after closing).
 */
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openProgressStore, type ProgressStore, type SyncRecorder } from '../src';
import { upkeepScheduler } from '../src/db/upkeep-scheduler';
import { removeDir, tempDir } from './fixture';
import { loadAverage } from './machine';
import type { ResultRow } from './table';

export interface ManyStoresBenchOptions {
  quick: boolean;
}

const STORES = 200;
const SYNCING = 20;
const FILES_PER_SYNC = 2_000;

/** Timer objects alive in the process (ref'd or not): getActiveResourcesInfo() shows only ref'd ones. */
function timerCounter(): { live: () => number; stop: () => void } {
  const timers = new Set<number>();
  const hook = createHook({
    init: (id, type) => {
      if (type === 'Timeout') timers.add(id);
    },
    destroy: (id) => {
      timers.delete(id);
    },
  });
  hook.enable();
  return { live: () => timers.size, stop: () => hook.disable() };
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;
/** async_hooks reports a cleared timer's end on a later tick: let it before counting. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const paths = (project: number) =>
  Array.from({ length: FILES_PER_SYNC }, (_, i) => `src/p${project}/module-${i % 13}/file-${i}.ts`);

function openAll(dir: string): ProgressStore[] {
  return Array.from({ length: STORES }, (_, i) =>
    openProgressStore({
      projectId: `project-${String(i).padStart(3, '0')}`,
      dir,
      onWarning: (w) => process.stderr.write(`store warning ${w.code}: ${w.message}\n`),
    }),
  );
}

/** One sync's caller: an update per second, a slice of files completed with it. */
function driveSync(
  store: ProgressStore,
  project: number,
  seconds: number,
): { timer: NodeJS.Timeout; sync: SyncRecorder } {
  const files = paths(project);
  const sync = store.recording.startSync({ files });
  const perSecond = Math.ceil(FILES_PER_SYNC / seconds);
  let second = 0;
  const timer = setInterval(() => {
    second += 1;
    const done = Math.min(FILES_PER_SYNC, second * perSecond);
    sync.completeFiles(files.slice((second - 1) * perSecond, done));
    sync.update({
      phase: 'Indexing Files',
      percent: Math.min(99, (100 * done) / FILES_PER_SYNC),
      phasePercent: Math.min(99, (100 * done) / FILES_PER_SYNC),
      filesProcessed: done,
      totalFiles: FILES_PER_SYNC,
      rate: perSecond,
    });
  }, 1000);
  return { timer, sync };
}

export async function benchManyStores(options: ManyStoresBenchOptions): Promise<ResultRow[]> {
  const seconds = options.quick ? 6 : 60;
  const idleSeconds = options.quick ? 2 : 10;
  const dir = tempDir('many-stores');
  const timers = timerCounter();
  try {
    // The files exist already (a server restarting), so opening is the store's own work.
    openAll(dir).forEach((store) => store.close());
    await settle();
    const fdsBefore = openFds();
    const timersBefore = timers.live();
    const stores = openAll(dir);
    await settle();
    const fdsOpen = openFds() - fdsBefore;
    const timersOpen = timers.live() - timersBefore;
    const tasks = upkeepScheduler.size;

    // 20 syncs at one update per second; the loop's delay measured meanwhile (their own
    // daily maintenance runs in this window too: the files were created a moment ago).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const syncs = stores.slice(0, SYNCING).map((store, i) => driveSync(store, i, seconds));
    await sleep(seconds * 1000 + 200);
    loop.disable();
    for (const { timer, sync } of syncs) {
      clearInterval(timer);
      sync.finish();
    }
    await settle();
    const timersSyncing = timers.live() - timersBefore;

    // Idle: all 200 open, nothing asked of them. Let the last WAL merges run first.
    await sleep(6_000);
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    await sleep(idleSeconds * 1000);
    const cpu = process.cpuUsage(cpuStart);
    const idlePercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100;
    await settle();
    const timersIdle = timers.live() - timersBefore;

    stores.forEach((store) => store.close());
    const fdsAfter = openFds() - fdsBefore;
    const tasksAfter = upkeepScheduler.size;
    const ms = (ns: number) => ns / 1e6;
    const size = `${STORES} stores, ${SYNCING} syncing`;
    const load = `load ${loadAverage()}`;
    return [
      {
        operation: `event-loop delay, ${SYNCING} of ${STORES} stores syncing at 1 update/s`,
        size: `${size}, ${seconds} s`,
        stats: {
          n: loop.count,
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
          mean: ms(loop.mean),
        },
        goal: '≤ 20 ms p99',
        met: options.quick ? null : ms(loop.percentile(99)) <= 20,
        note: `monitorEventLoopDelay (10 ms resolution); each sync completes ${FILES_PER_SYNC} files over the window, checkpointing every 5%; ${load}`,
      },
      {
        operation: `CPU with ${STORES} stores open, idle`,
        size: `${size.split(',')[0]}, ${idleSeconds} s`,
        stats: null,
        value: `${idlePercent.toFixed(2)}% of a core`,
        goal: '≤ 2%',
        met: options.quick ? null : idlePercent <= 2,
        note: `process.cpuUsage() over ${idleSeconds} s with every store open and nothing asked; ${load}`,
      },
      {
        operation: `timers alive with ${STORES} stores open`,
        size: size.split(',')[0]!,
        stats: null,
        value: `${timersOpen} once open, ${timersSyncing} after the syncs ended, ${timersIdle} idle`,
        goal: 'no pile-up',
        met: timersOpen <= 1 && timersSyncing <= 1 && timersIdle <= 1,
        note: `Timeout objects alive (async_hooks), beyond those before opening; the stores' upkeep shares one unref'd timer (${tasks} tasks on it while open, ${tasksAfter} after closing); each running sync adds its heartbeat timer while it runs`,
      },
      {
        operation: `file handles with ${STORES} stores open`,
        size: size.split(',')[0]!,
        stats: null,
        value: `${fdsOpen} (${(fdsOpen / STORES).toFixed(1)} per store); ${fdsAfter} left after closing`,
        goal: '= what is open',
        met: fdsOpen === 3 * STORES && fdsAfter === 0,
        note: '/proc/self/fd: a store holds its file, its WAL and its shared-memory index',
      },
    ];
  } finally {
    timers.stop();
    removeDir(dir);
  }
}
