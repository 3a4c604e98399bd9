import { childScript, lastJsonLine, startChild } from '../../support/child-process';
import { closeTestProgressStore, openTestProgressStore, repoPaths, rows } from '../../support/progress-store';
import { useTempDir } from '../../support/temp-dir';

const tmp = useTempDir();

describe('resume is exactly once across processes', () => {
  it.each([1, 2, 3])(
    'of four processes racing resume(), one gets the plan and three a conflict (round %i)',
    async () => {
      const { store } = openTestProgressStore(tmp.path);
      const sync = store.recording.startSync({ jobId: 'contested', files: repoPaths(50) });
      sync.completeFiles(repoPaths(50).slice(0, 20));
      sync.flush();
      closeTestProgressStore(store);

      const racers = Array.from({ length: 4 }, () =>
        startChild(childScript('resume-sync.js'), [tmp.path, 'acme-api', 'contested']),
      );
      await Promise.all(racers.map((r) => r.waitForLine('ready')));
      for (const racer of racers) racer.send('go');
      const results = await Promise.all(
        racers.map(async (r) =>
          lastJsonLine<{ ok: boolean; code?: string; filesSkipped?: number }>((await r.exited).stdout),
        ),
      );

      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.filesSkipped).toBe(20);
      expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
      const reopened = openTestProgressStore(tmp.path);
      expect(
        rows(
          reopened.store,
          'SELECT count(*) AS n FROM sync_history WHERE resumed_from_job_id = ?',
          'contested',
        ),
      ).toEqual([{ n: 1 }]);
    },
  );
});
