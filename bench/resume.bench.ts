import type { Database } from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { collectGarbage, stats, timeOnce } from './harness';
import type { StoredFileEvent } from '../src/repositories/checkpoint-files.repository';
import { FileLedger } from '../src/services/recording/file-ledger';
import { BenchClock, openBenchStore, removeDir, storeContext, storeSqlite, tempDir } from './fixture';
import type { ResultRow } from './table';

export interface ResumeBenchOptions {
  sizes: number[];
  quick: boolean;
}

function roundsFor(size: number, quick: boolean): number {
  if (quick) return 3;
  if (size <= 10_000) return 30;
  if (size <= 100_000) return 15;
  return 8;
}

/**
 * A sync of `size` bench paths interrupted half way (planned at start, then half the files
 * completed in ten checkpoints of 5% each), recorded by another process that then exits
 * (see interrupted-sync-child.ts). Returns its job id.
 */
function interruptedSync(dir: string, size: number): string {
  const output = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      path.join(__dirname, '..', 'test', 'support', 'children', 'register-ts.js'),
      path.join(__dirname, 'interrupted-sync-child.ts'),
      dir,
      String(size),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return output.trim();
}

/**
 * One resume in a process of its own (fresh-resume-child.ts), as CIDX resumes: returns its
 * time and the new sync's job id, which the next round resumes.
 */
function freshResume(dir: string, jobId: string, wallMs: number): { ms: number; next: string } {
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      path.join(__dirname, '..', 'test', 'support', 'children', 'register-ts.js'),
      path.join(__dirname, 'fresh-resume-child.ts'),
      dir,
      jobId,
      String(wallMs),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output) as { ms: number; next: string };
}

/**
 * The smallest equivalent work: read the lineage's file rows back with one prepared
 * SELECT, decode the path lists and split them into paths. No checks, no states.
 */
function rawReadBack(sqlite: Database) {
  const select = sqlite.prepare('SELECT kind, data FROM checkpoint_files WHERE lineage_id = ? ORDER BY id');
  return (lineageId: string) => {
    let n = 0;
    for (const row of select.iterate(lineageId) as Iterable<{ kind: string; data: Buffer }>) {
      if (row.kind === 'planned') n += row.data.toString('utf8').split('\0').length;
    }
    return n;
  };
}

/**
 * Per round: open the store, time checkResumable() then resume() (the plan: pending files,
 * skipped phases), close the store (the new sync is released, so the next round resumes
 * it in turn: the lineage and its log stay the same size).
 */
function resumeRounds(size: number, rounds: number, changeRounds: number, freshRounds: number) {
  const dir = tempDir('resume');
  const total: number[] = [];
  const check: number[] = [];
  const plan: number[] = [];
  const raw: number[] = [];
  const list: number[] = [];
  const replay: number[] = [];
  const verify: number[] = [];
  const rest: number[] = [];
  const cpu: number[] = [];
  const firstFinish: number[] = [];
  const withChange: number[] = [];
  const fresh: number[] = [];
  try {
    const clock = new BenchClock();
    let jobId = interruptedSync(dir, size);
    const lineageId = jobId;
    let lastPending = '';
    for (let r = 0; r < rounds + 1 + changeRounds; r++) {
      // The last rounds merge one change, as a resume from a repository that moved on does:
      // a pending file modified (it stays pending, so every round plans the same work).
      const source = r > rounds ? { changes: [{ status: 'M' as const, path: lastPending }] } : undefined;
      clock.advance(60_000);
      collectGarbage(); // the previous round's 500k-path ledger is garbage now: collect it untimed
      const store = openBenchStore(dir, { clock });
      let info: ReturnType<typeof store.resume.checkResumable> = null;
      let resumed: ReturnType<typeof store.resume.resume> | undefined;
      // CPU time of this process beside wall time: on a machine shared with other work,
      // wall time mostly measures waiting for a core.
      const cpuBefore = process.cpuUsage();
      const c = timeOnce(() => (info = store.resume.checkResumable()));
      const p = timeOnce(() => (resumed = store.resume.resume(jobId, source)));
      const cpuSpent = process.cpuUsage(cpuBefore);
      const found = info as { jobId: string; canResume: boolean } | null;
      if (found?.jobId !== jobId || !found.canResume)
        throw new Error(`round ${r}: ${jobId} was not offered for resume`);
      // Each round but the change rounds finishes one file (timing the first completeFiles).
      const expected = size - Math.ceil(size / 20) * 10 - Math.min(r, rounds + 1);
      if (resumed!.plan.filesToProcess.length !== expected) {
        throw new Error(
          `round ${r}: the plan has ${resumed!.plan.filesToProcess.length} files to process, not ${expected}`,
        );
      }
      lastPending = resumed!.plan.filesToProcess[expected - 1]!;
      if (source) {
        withChange.push(c + p);
        jobId = resumed!.sync.jobId;
        store.close();
        continue;
      }
      // The resumed sync's first finished file: once the whole plan's index, built in the caller's loop.
      const f = timeOnce(() => resumed!.sync.completeFiles([resumed!.plan.filesToProcess[0]!]));
      const read = rawReadBack(storeSqlite(store));
      const b = timeOnce(() => read(lineageId));
      // The two pieces of resume() that grow with the repository, timed apart.
      const repos = storeContext(store).repos;
      let events: StoredFileEvent[] = [];
      let ledger: FileLedger | undefined;
      const l = timeOnce(() => (events = repos.checkpointFiles.list(lineageId)));
      const rp = timeOnce(() => (ledger = FileLedger.load(events)).pathsIn('pending'));
      if (ledger!.counts().pending !== expected)
        throw new Error(`round ${r}: the ledger has the wrong pending count`);
      // What resume() checks of the stored rows after that: the rows holding pending files,
      // read above. Rows whose files were all finished are no longer read by a resume (they
      // are read when first needed), so this is near nothing since 2026-12-08.
      const v = timeOnce(() => ledger!.verifyStored());
      jobId = resumed!.sync.jobId;
      store.close();
      if (r === 0) continue; // the first round warms the code and the page cache
      cpu.push((cpuSpent.user + cpuSpent.system) / 1000);
      check.push(c);
      plan.push(p);
      total.push(c + p);
      raw.push(b);
      list.push(l);
      replay.push(rp);
      verify.push(v);
      rest.push(Math.max(0, p - l - rp - v));
      firstFinish.push(f);
    }
    for (let r = 0; r < freshRounds; r++) {
      clock.advance(60_000);
      const resumed = freshResume(dir, jobId, clock.now());
      fresh.push(resumed.ms);
      jobId = resumed.next;
    }
  } finally {
    removeDir(dir);
  }
  return { total, check, plan, raw, list, replay, verify, rest, cpu, firstFinish, withChange, fresh };
}

const GOALS: Record<number, number> = { 100_000: 30, 500_000: 100 };

export function benchResume(options: ResumeBenchOptions): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const size of options.sizes) {
    const rounds = roundsFor(size, options.quick);
    const result = resumeRounds(size, rounds, Math.ceil(rounds / 2), options.quick ? 1 : 5);
    const s = stats(result.total);
    const raw = stats(result.raw);
    const goal = GOALS[size];
    // At 500k the story also asks for at most twice the raw read-back of the same rows.
    const vsRaw = size >= 500_000 ? 2 : null;
    const label = `${size.toLocaleString('en-US')} files`;
    rows.push(
      {
        operation: 'checkResumable() + resume() plan (sync interrupted at 50%)',
        size: label,
        stats: s,
        baseline: {
          label:
            "the lineage's checkpoint_files rows read back by one prepared SELECT, path lists decoded and split into paths",
          stats: raw,
        },
        goal: goal ? `p99 ≤ ${goal} ms${vsRaw ? `, p50 ≤ ${vsRaw}× raw` : ''}` : '—',
        met: goal ? s.p99 <= goal && (!vsRaw || s.p50 <= vsRaw * raw.p50) : null,
      },
      {
        operation: '  same, CPU time of this process (user + system, all threads)',
        size: label,
        stats: stats(result.cpu),
        goal: '(what the call costs without waiting for a core)',
        met: null,
      },
      {
        operation: '  same, in a fresh process (once per process, as CIDX resumes: nothing compiled yet)',
        size: label,
        stats: stats(result.fresh),
        goal: "(the story's own limit: load < 100 ms)",
        met: null,
      },
      {
        operation: '  of which: checkResumable()',
        size: label,
        stats: stats(result.check),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation: '  of which: resume() (replay, claim, new sync)',
        size: label,
        stats: stats(result.plan),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation: '    in it: listing the file log (ordinal rows read, list rows not yet)',
        size: label,
        stats: stats(result.list),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation:
          '    in it: loading it and reading the pending paths (list rows that hold them read, checked, decoded)',
        size: label,
        stats: stats(result.replay),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation: '    in it: verifyStored() after that (rows of finished files: not read since 2026-12-08)',
        size: label,
        stats: stats(result.verify),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation:
          '    in it: the rest (claim, new sync, checkpoint row; resume() less the three rows above)',
        size: label,
        stats: stats(result.rest),
        goal: '(breakdown)',
        met: null,
      },
      {
        operation: '  same, merging one changed file (a pending one, modified)',
        size: label,
        stats: stats(result.withChange),
        goal: '(before: the whole index built, 480–580 ms at 500k)',
        met: null,
      },
      {
        operation: "the resumed sync's first completeFiles([path]), a pending file",
        size: label,
        stats: stats(result.firstFinish),
        goal: "(paid in the caller's loop)",
        met: null,
      },
    );
  }
  return rows;
}
