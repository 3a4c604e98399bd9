import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readArchive } from '../../../src/services/retention/read-archive';
import { handEdit } from '../../support/hand-edit';
import { closeTestProgressStore, openTestProgressStore } from '../../support/progress-store';
import { listDir, useTempDir } from '../../support/temp-dir';
import { DAY, jobIds, tableCounts } from './retention-fixtures';

/** A damaged row must not stop maintenance for good: maintenance removes it, archiving a sync's row first. */
const tmp = useTempDir();

function twoOldSyncs() {
  const opened = openTestProgressStore(tmp.path, { autoMaintenance: false });
  for (const jobId of ['job-1', 'job-2']) {
    const sync = opened.store.recording.startSync({ jobId, files: ['a.ts'] });
    opened.clock.advance(60_000);
    sync.finish({ filesIndexed: 1 });
  }
  const dbPath = opened.store.path;
  closeTestProgressStore(opened.store);
  return { dbPath, clock: opened.clock };
}

describe('maintenance over damaged rows', () => {
  it.each([
    ['phases that are not JSON', `UPDATE sync_history SET phases = '{oops' WHERE job_id = 'job-1'`, {}],
    [
      'a status outside the closed set',
      `UPDATE sync_history SET status = 'bogus' WHERE job_id = 'job-1'`,
      { ignoreChecks: true },
    ],
  ])(
    'with %s: does not fail, archives the damaged sync and removes it, and says so',
    (_name, edit, options) => {
      const { dbPath, clock } = twoOldSyncs();
      handEdit(dbPath, edit, options);
      const { store, warnings } = openTestProgressStore(tmp.path, { clock, autoMaintenance: false });
      const dry = store.retention.runMaintenance({ dryRun: true });
      expect(dry.dryRun).toBe(true);
      expect(jobIds(store)).toEqual(['job-1', 'job-2']);
      expect(tableCounts(store).figures).toBe(2);
      store.retention.runMaintenance();
      expect(jobIds(store)).toEqual(['job-2']);
      // The removed sync's figures go with it: the report's count of recorded syncs stays exact.
      expect(tableCounts(store).figures).toBe(1);
      expect(warnings).toContainEqual(
        expect.objectContaining({
          code: 'CORRUPT',
          message: expect.stringMatching(/removed 1 damaged row.*job_id=job-1/),
        }),
      );
      // Beside the month files, not in them: a month file holds only good rows.
      expect(listDir(store.retention.archiveDir)).toEqual(['damaged']);
      const [damagedFile] = listDir(`${store.retention.archiveDir}/damaged`);
      const archived = gunzipSync(fs.readFileSync(`${store.retention.archiveDir}/damaged/${damagedFile}`))
        .toString()
        .trim()
        .split('\n');
      expect(archived.map((line) => JSON.parse(line).jobId)).toEqual(['job-1']);
      // And the month after, the good sync is archived as usual.
      clock.advance(40 * DAY);
      store.retention.runMaintenance();
      expect(jobIds(store)).toEqual([]);
      const month = listDir(store.retention.archiveDir).find((name) => name !== 'damaged')!;
      expect(readArchive(`${store.retention.archiveDir}/${month}`).map((r) => r.jobId)).toEqual(['job-2']);
    },
  );

  it("leaves a live sync's own damaged row to it", () => {
    const { store } = openTestProgressStore(tmp.path, { autoMaintenance: false });
    const sync = store.recording.startSync({ jobId: 'live', files: ['a.ts'] });
    handEdit(store.path, `UPDATE sync_history SET metadata = '{oops' WHERE job_id = 'live'`);
    store.retention.runMaintenance();
    expect(jobIds(store)).toEqual(['live']);
    sync.cancel();
  });
});
