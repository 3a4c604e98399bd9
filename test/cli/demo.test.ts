import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StatusJson } from '../../src/cli/commands/status';
import { runChild } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';
import { commitDemoChange, createDemoRepo, listFiles } from '../../src/cli/demo/demo-repo';
import { run } from '../../src/cli/main';
import { ANSI, CLI_CHILD, cliEnv, ExitCalled, fakeIo, runCli } from './helpers';

/**
 * The demo in this process, for coverage of its code paths. The demo's interrupt is a
 * real process exit, so a sync that a later run resumes is interrupted by a child
 * process (the real command line); test/cli/bin.test.ts runs the whole demo in children.
 */
const tmp = useTempDir('cidx-cli-demo-');
const demo = (...extra: string[]) => ['demo', '--dir', tmp.path, '--delay', '0', ...extra];

async function interruptedByChild(at = 40, extra: string[] = []): Promise<void> {
  const result = await runChild(CLI_CHILD, [...demo('--interrupt-at', String(at)), ...extra], {
    env: cliEnv(),
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(6);
}

async function statusJson(): Promise<StatusJson> {
  return JSON.parse(
    (await runCli(['status', '--project', 'demo', '--dir', tmp.path, '--json'])).stdout,
  ) as StatusJson;
}

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-C', repo, ...args], {
    encoding: 'utf8',
  });
}

describe('cidx-progress demo (in process)', () => {
  it('refuses a folder the store refuses before creating anything in it (a store file that is a link)', async () => {
    const elsewhere = tmp.join('elsewhere.db');
    fs.symlinkSync(elsewhere, tmp.join('demo.db'));
    const result = await runCli(demo('--yes'));
    expect(result.code).toBe(7);
    expect(fs.existsSync(tmp.join('demo-repo'))).toBe(false);
    expect(fs.existsSync(elsewhere)).toBe(false);
  });

  it('creates a repository, records the sync and interrupts itself with a real exit at the given percent', async () => {
    const result = await runCli(demo('--interrupt-at', '40'));
    // The fake exit throws where process.exit would have ended the process.
    expect(result.io.exitCodes).toEqual([6]);
    expect(result.stdout).toContain(`store:      ${tmp.join('demo.db')}`);
    expect(result.stdout).toMatch(/repository: .*demo-repo \(created: 44 files, 2 commits\)/);
    expect(result.stdout).toContain('Syncing 44 files:');
    expect(result.stdout).toMatch(/^ +0% +Initializing/m);
    expect(result.stdout).toMatch(/^ +40% +Indexing Files +1[0-9]\/44 files$/m);
    expect(result.stdout).toMatch(/✂ Interrupted at 4\d%: the process exits now/);
    expect(result.stdout).not.toContain('Sync complete');
  });

  it('a second --interrupt-at on a run resumed past that percent still interrupts, once this run moves', async () => {
    await interruptedByChild(40);
    const first = (await statusJson()).syncs[0]!;
    expect(first.progress).toBeGreaterThanOrEqual(40);

    const result = await runCli(demo('--yes', '--interrupt-at', '40'));
    expect(result.io.exitCodes).toEqual([6]);
    expect(result.stdout).toMatch(/Continuing from 4\d% \(Indexing Files\):/);
    expect(result.stdout).toMatch(/already past --interrupt-at 40%: interrupting once this run moves on/);
    expect(result.stdout).toMatch(/✂ Interrupted at \d+%: the process exits now/);
    expect(result.stdout).not.toContain('Sync complete');
    const after = (await statusJson()).syncs;
    expect(after).toEqual([expect.objectContaining({ state: 'interrupted', alive: false })]);
    expect(after[0]!.jobId).not.toBe(first.jobId);
  });

  it('on the next run shows the prompt, merges a new commit and finishes from the checkpoint', async () => {
    await interruptedByChild();
    const before = await statusJson();
    expect(before.syncs).toEqual([
      expect.objectContaining({ state: 'interrupted', alive: false, phase: 'Indexing Files' }),
    ]);
    expect(before.syncs[0]!.progress).toBeGreaterThanOrEqual(40);

    const result = await runCli(demo('--yes'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /committed a change since the last run: 2 modified, 1 added, 1 deleted \(README\.md, .*docs\/guide-0\.md\)/,
    );
    expect(result.stdout).toContain('📎 Incomplete sync detected!');
    expect(result.stdout).toContain('Choice: resume (--yes)');
    expect(result.stdout).toContain(
      'phases already done: Initializing, Git Fetch, Git Merge, Detecting Changes',
    );
    expect(result.stdout).toMatch(/files already indexed, skipped: \d+/);
    expect(result.stdout).toMatch(
      /merged the changes [0-9a-f]{8}\.\.[0-9a-f]{8}; indexed files to remove: docs\/guide-0\.md/,
    );
    expect(result.stdout).toMatch(/Continuing from 4\d% \(Indexing Files\):/);
    expect(result.stdout).toMatch(/^ +100% +Validating Index +44\/44 files$/m);
    expect(result.stdout).toMatch(
      /✓ Sync complete in \d+s: \d+ files indexed, \d+ skipped thanks to the checkpoint\./,
    );
    expect((await statusJson()).syncs).toEqual([]);
  });

  it('the prompt answered through stdin: cancel keeps the checkpoint, start fresh syncs every file', async () => {
    await interruptedByChild(60);
    const cancelled = await runCli(demo('--read-stdin'), { input: ['c'] });
    expect(cancelled.code).toBe(5);
    expect(cancelled.stdout).toContain('Cancelled: the checkpoint is kept for next time.');
    expect((await statusJson()).syncs).toHaveLength(1);

    const fresh = await runCli(demo('--read-stdin'), { input: ['s'] });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('Starting fresh: the old checkpoint is cleared.');
    expect(fresh.stdout).toMatch(/Syncing 4\d files:/);
    expect(fresh.stdout).not.toContain('skipped thanks to the checkpoint');
  });

  it('indexes files changed after a checkpoint taken past indexing where the resumed run starts', async () => {
    await interruptedByChild(95);
    const result = await runCli(demo('--yes'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'phases already done: Initializing, Git Fetch, Git Merge, Detecting Changes, Indexing Files',
    );
    expect(result.stdout).toContain('files to index: 3');
    expect(result.stdout).toMatch(/Continuing from 9\d% \(Validating Index\):/);
    expect(result.stdout).toMatch(
      /✓ Sync complete in \d+s: 3 files indexed, 4\d skipped thanks to the checkpoint\./,
    );
  });

  it('starts over when the checkpoint commit was rewritten away', async () => {
    await interruptedByChild();
    git(tmp.join('demo-repo'), 'commit', '-q', '--amend', '-m', 'rewritten history');
    const result = await runCli(demo('--yes'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /The checkpoint cannot be used \(full sync required: .*not an ancestor of HEAD.*\): a full sync/,
    );
    expect(result.stdout).toMatch(/^ +0% +Initializing/m);
    expect(result.stdout).toContain('✓ Sync complete');
  });

  it('with --yes starts fresh when the checkpoint cannot be used', async () => {
    await interruptedByChild();
    const BetterSqlite3 = require('better-sqlite3');
    const db = new BetterSqlite3(tmp.join('demo.db'));
    db.prepare('UPDATE checkpoints SET metadata = ?').run('{"damaged":');
    db.close();
    const result = await runCli(demo('--yes'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Cannot resume: the checkpoint is damaged');
    expect(result.stdout).toContain('Starting fresh: the old checkpoint is cleared.');
    expect(result.stdout).toContain('✓ Sync complete');
  });

  it('resumes a sync of a given repository interrupted in its first phase: nothing skipped, nothing merged', async () => {
    await interruptedByChild(10);
    const repo = tmp.join('demo-repo');
    const store = path.join(tmp.path, 'given');
    const run = (...extra: string[]) =>
      runChild(CLI_CHILD, ['demo', '--repo', repo, '--dir', store, '--delay', '0', ...extra], {
        env: cliEnv(),
      });
    expect((await run('--interrupt-at', '1')).code).toBe(6);
    // A file deleted from the working tree but not from git: listed, but nothing to read.
    fs.rmSync(path.join(repo, 'README.md'));
    const result = await runCli(['demo', '--repo', repo, '--dir', store, '--delay', '0', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('phases already done');
    expect(result.stdout).toContain('files already indexed, skipped: 0');
    expect(result.stdout).not.toContain('merged the changes');
    expect(result.stdout).toContain('✓ Sync complete');
  });

  it('walks a given repository without changing it, and refuses a folder that is not one', async () => {
    await interruptedByChild(10);
    const repo = tmp.join('demo-repo');
    const head = git(repo, 'rev-parse', 'HEAD');
    const store = path.join(tmp.path, 'other');
    const result = await runCli([
      'demo',
      '--repo',
      repo,
      '--dir',
      store,
      '--project',
      'mine',
      '--delay',
      '0',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`repository: ${repo}\n`);
    expect(result.stdout).not.toContain('committed a change');
    expect(fs.existsSync(path.join(store, 'mine.db'))).toBe(true);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);

    fs.mkdirSync(tmp.join('plain'));
    const refused = await runCli(['demo', '--repo', tmp.join('plain'), '--dir', store]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not a git repository with a commit');
  });

  it('draws a live progress bar on a terminal', async () => {
    const result = await runCli(demo(), { tty: true, columns: 120 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(ANSI);
    // eslint-disable-next-line no-control-regex
    const plain = result.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/█+ 100% \| Validating Index +\| 44\/44 files/);
  });

  it('makes its own temporary folder without --dir, and says where', async () => {
    const result = await runCli(['demo', '--delay', '0']);
    const store = /store: +(\S+demo\.db)/.exec(result.stdout)![1]!;
    try {
      expect(result.code).toBe(0);
      expect(fs.existsSync(store)).toBe(true);
    } finally {
      fs.rmSync(path.dirname(store), { recursive: true, force: true });
    }
  });

  it('--story runs the whole story in child processes: interrupted at 40%, status, resumed, history', async () => {
    const result = await runCli(['demo', '--story', '--dir', tmp.path, '--delay', '0']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const steps = [
      'Step 1 of 4: a sync, interrupted at 40% by a real process exit',
      '✂ Interrupted at 4',
      'Step 2 of 4: cidx-progress status',
      'interrupted at 4',
      'Step 3 of 4: the next run: the resume prompt',
      'Choice: resume (--yes)',
      '✓ Sync complete',
      'Step 4 of 4: cidx-progress history',
      'Success Rate: 100% (1/1 syncs)',
      `Everything is in ${tmp.path}`,
    ];
    let from = 0;
    for (const text of steps) {
      const at = result.stdout.indexOf(text, from);
      expect({ text, found: at >= 0 }).toEqual({ text, found: true });
      from = at;
    }
  });

  it('--story hands a real file descriptor to its runs, and walks a given repository', async () => {
    await interruptedByChild(90);
    const logFile = tmp.join('story.log');
    const io = fakeIo();
    const fd = fs.openSync(logFile, 'w');
    const stream = fs.createWriteStream('', { fd, autoClose: false });
    Object.assign(io, { stdout: stream, stderr: stream });
    const code = await run(
      [
        'demo',
        '--story',
        '--dir',
        tmp.join('story'),
        '--repo',
        tmp.join('demo-repo'),
        '--interrupt-at',
        '30',
        '--delay',
        '0',
      ],
      io,
    );
    await new Promise<void>((resolve) => stream.end(resolve));
    fs.closeSync(fd);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(code).toBe(0);
    expect(log).toContain('Step 1 of 4: a sync, interrupted at 30%');
    expect(log).toMatch(/✂ Interrupted at 3\d%/);
    expect(log).toContain('Success Rate: 100% (1/1 syncs)');
  });

  it('--story stops when a run does not end as the story expects', async () => {
    const result = await runCli([
      'demo',
      '--story',
      '--dir',
      tmp.path,
      '--delay',
      '0',
      '--repo',
      tmp.join('missing'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the interrupted run ended with exit code 2, expected 6');
  });
});

describe('the demo repository', () => {
  it('gets a different change committed on every call, until there is no guide left to delete', async () => {
    const repo = tmp.join('repo');
    expect(await createDemoRepo(repo)).toBe(44);
    const deleted: string[] = [];
    for (let i = 0; i < 6; i++) {
      const change = await commitDemoChange(repo);
      expect(change.modified).toHaveLength(2);
      expect(change.added).toHaveLength(1);
      deleted.push(...change.deleted);
    }
    expect(deleted).toEqual([
      'docs/guide-0.md',
      'docs/guide-1.md',
      'docs/guide-2.md',
      'docs/guide-3.md',
      'docs/guide-4.md',
    ]);
    expect(await listFiles(repo)).toHaveLength(44 - 5 + 6);
  });

  it('ExitCalled carries the code', () => {
    expect(new ExitCalled(6).code).toBe(6);
  });
});
