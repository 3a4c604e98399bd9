import BetterSqlite3 from 'better-sqlite3';
import { childScript, startChild } from '../support/child-process';
import { openTestProgressStore, closeTestProgressStore } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

/**
 * A sync killed with SIGKILL at a random moment: the file must open, pass quick_check,
 * hold exactly its last committed checkpoint, lose nothing the store acknowledged, and
 * resume from there. CRASH_ITERATIONS sets how many kills (CI: 30; `npm run soak`: 500).
 */
const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 30);
const FILES = 400;
const tmp = useTempDir();

function checkpointOnDisk(dbPath: string) {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    const quick = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
    const checkpoint = db.prepare('SELECT files_completed, files_pending FROM checkpoints').get() as
      | { files_completed: number; files_pending: number }
      | undefined;
    return { quick, checkpoint };
  } finally {
    db.close();
  }
}

describe('SIGKILL at a random moment', () => {
  it(`loses nothing acknowledged and resumes from the last checkpoint (${ITERATIONS} kills)`, async () => {
    const files = Array.from({ length: FILES }, (_, i) => `pkg-${i % 5}/src/nested/dir-${i % 13}/file-${i}.ts`);
    const summary = { killed: 0, finishedBeforeKill: 0 };
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const dir = tmp.join(`run-${iteration}`);
      const jobId = `crash-${iteration}`;
      const child = startChild(childScript('run-sync.js'), [dir, 'acme-api', String(FILES), jobId, '2']);
      await child.waitForLine('started');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      child.process.kill('SIGKILL');
      const result = await child.exited;
      if (result.stdout.includes('done')) {
        summary.finishedBeforeKill++;
        continue;
      }
      summary.killed++;
      const acks = [...result.stdout.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      const acknowledged = acks.length ? acks[acks.length - 1]! : 0;

      const { quick, checkpoint } = checkpointOnDisk(`${dir}/acme-api.db`);
      expect(quick).toEqual(['ok']);
      expect(checkpoint).toBeDefined();
      const committed = checkpoint!.files_completed;
      expect(committed).toBeGreaterThanOrEqual(acknowledged);
      expect(committed + checkpoint!.files_pending).toBe(FILES);

      const { store } = openTestProgressStore(dir);
      const info = store.resume.checkResumable();
      expect(info).toMatchObject({ jobId, canResume: true, filesProcessed: committed });
      const { plan, sync } = store.resume.resume(jobId);
      expect(plan.fullSyncRequired).toBe(false);
      expect(plan.filesSkipped).toBe(committed);
      expect(plan.filesToProcess).toEqual(files.slice(committed));
      sync.completeFiles(plan.filesToProcess);
      sync.finish();
      closeTestProgressStore(store);
    }
    // eslint-disable-next-line no-console
    console.log(`crash suite: ${summary.killed} killed mid-sync, ${summary.finishedBeforeKill} finished first; every kill resumed exactly from its last checkpoint`);
    expect(summary.killed).toBeGreaterThan(ITERATIONS / 2);
  }, 10 * 60_000);
});
