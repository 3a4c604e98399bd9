import path from 'node:path';
import { lastJsonLine, startChild } from '../../support/child-process';
import { randomInt, seededRandom } from '../../support/seeded-random';
import { useTempDir } from '../../support/temp-dir';
import { conservation, seedOldSyncs } from './archive-conservation';

/**
 * A maintainer SIGKILLed at a seeded file operation of the archive protocol (writing,
 * fsyncing, renaming a batch file, or between its transactions), then a second run: every
 * sync that left the database is in exactly one archive line, and none is lost.
 * ARCHIVE_CRASH_SEED replays a run.
 */
const KILLS = Number(process.env.ARCHIVE_CRASH_KILLS ?? 8);
const random = seededRandom('ARCHIVE_CRASH_SEED');
const SEED = random.seed;
const tmp = useTempDir();
const maintainer = path.join(__dirname, 'children', 'run-maintenance.js');

jest.setTimeout(Math.max(60_000, KILLS * 8_000));

describe('a maintainer killed during its archive writes', () => {
  it(`loses and duplicates nothing (${KILLS} kills, seed ${SEED})`, async () => {
    process.stdout.write(`archive crash: seed ${SEED} (replay with ARCHIVE_CRASH_SEED=${SEED})\n`);
    let killed = 0;
    for (let i = 0; i < KILLS; i++) {
      const dir = tmp.join(`run-${i}`);
      const finished = seedOldSyncs(dir, 600);
      const killAt = randomInt(random, 1, 60);
      const first = await startChild(maintainer, [dir, 'acme-api'], {
        env: { ...process.env, KILL_AT: String(killAt) },
      }).exited;
      if (first.signal === 'SIGKILL') killed += 1;
      const second = await startChild(maintainer, [dir, 'acme-api']).exited;
      expect({ seed: SEED, killAt, code: second.code }).toEqual({ seed: SEED, killAt, code: 0 });
      expect(
        lastJsonLine<{ reports: Array<{ skipped?: unknown }> }>(second.stdout).reports[0]!.skipped,
      ).toBeUndefined();
      const result = conservation(
        finished,
        path.join(dir, 'acme-api.db'),
        path.join(dir, 'acme-api.archive'),
      );
      expect({ seed: SEED, killAt, ...result }).toEqual({
        seed: SEED,
        killAt,
        finished: 600,
        inDatabase: 0,
        inArchive: 600,
        lost: [],
        duplicated: [],
        unknown: [],
      });
    }
    expect(killed).toBeGreaterThan(KILLS / 2);
  });
});
