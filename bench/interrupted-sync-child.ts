/**
 * Run by the resume bench in a process of its own: records a sync of `size` bench paths
 * interrupted half way, prints its job id and exits, its owner gone as after a crash. The
 * resume is then timed in a process that did not record it, as it happens for real (and
 * its heap does not hold the 500k paths and the recorder's index of them).
 *   node -r ./test/support/children/register-ts.js bench/interrupted-sync-child.ts DIR SIZE
 */
import { indexing } from './checkpoint.bench';
import { BenchClock, openBenchStore } from './fixture';
import { repositoryPaths } from './paths';

const [dir, sizeText] = process.argv.slice(2);
const paths = repositoryPaths(Number(sizeText));
const store = openBenchStore(dir!, { clock: new BenchClock() });
const sync = store.recording.startSync({ gitCommit: 'a1b2c3d4'.padEnd(40, '0'), files: paths });
sync.update(indexing(0, 0, paths.length));
const step = Math.ceil(paths.length / 20);
for (let k = 0; k < 10; k++) {
  sync.completeFiles(paths.slice(k * step, (k + 1) * step));
  const done = Math.min(paths.length, (k + 1) * step);
  sync.flush();
  sync.update(indexing((100 * done) / paths.length, done, paths.length));
}
store.close();
process.stdout.write(`${sync.jobId}\n`);
