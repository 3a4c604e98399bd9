/**
 * Run by the resume bench in a process of its own: opens the store, times checkResumable()
 * and resume() of one sync once, prints the time and the new sync's job id as JSON, closes
 * and exits. This is how CIDX resumes: once per process, with nothing compiled or warmed
 * yet (the rounds in the bench's own process measure the same calls warm).
 *   node -r ./test/support/children/register-ts.js bench/fresh-resume-child.ts DIR JOB_ID WALL_MS
 */
import { timeOnce } from './harness';
import { BenchClock, openBenchStore } from './fixture';

const [dir, jobId, wallText] = process.argv.slice(2);
const store = openBenchStore(dir!, { clock: new BenchClock(Number(wallText)) });
let next = '';
const ms = timeOnce(() => {
  store.resume.checkResumable();
  next = store.resume.resume(jobId!).sync.jobId;
});
store.close();
process.stdout.write(`${JSON.stringify({ ms, next })}\n`);
