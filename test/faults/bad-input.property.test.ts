import fc from 'fast-check';
import { ValidationError } from '../../src';
import { openTestProgressStore, rows } from '../support/progress-store';
import { useTempDir } from '../support/temp-dir';

const tmp = useTempDir();

const PHASES = [
  'Initializing',
  'Git Fetch',
  'Git Merge',
  'Detecting Changes',
  'Indexing Files',
  'Validating Index',
];

/** Any value at all, with the ones that break naive checks made likely. */
const anyValue = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -0.5,
    101,
    1e300,
    2.5,
    null,
    undefined,
    '',
    '50',
    {},
    [],
  ),
  fc.anything(),
);

const tableSnapshot = (store: Parameters<typeof rows>[0]) => ({
  progress: rows(store, 'SELECT count(*) AS n FROM progress_updates')[0],
  history: rows(store, 'SELECT overall_progress, current_phase FROM sync_history'),
  checkpoints: rows(store, 'SELECT seq, phase, overall_progress FROM checkpoints'),
});

describe('update() under arbitrary input', () => {
  it('accepts valid updates and rejects any corrupted field with a ValidationError naming it, writing nothing', () => {
    const { store } = openTestProgressStore(tmp.path, { throttleMs: 0 });
    const sync = store.recording.startSync({ jobId: 'prop' });
    let percent = 0;
    let phaseIndex = 0;
    fc.assert(
      fc.property(
        fc.record({
          step: fc.double({ min: 0, max: 3, noNaN: true }),
          phaseStep: fc.integer({ min: 0, max: 1 }),
          field: fc.constantFrom(
            'phase',
            'percent',
            'phasePercent',
            'filesProcessed',
            'totalFiles',
            'rate',
            'none',
          ),
          bad: anyValue,
        }),
        ({ step, phaseStep, field, bad }) => {
          const next = {
            phase: PHASES[Math.min(PHASES.length - 1, phaseIndex + phaseStep)]!,
            percent: Math.min(100, percent + step),
            phasePercent: 50,
            filesProcessed: 1,
            totalFiles: 10,
            rate: 1.5,
          };
          if (field === 'none') {
            sync.update(next);
            percent = next.percent;
            phaseIndex = PHASES.indexOf(next.phase);
            return;
          }
          const corrupted = { ...next, [field]: bad };
          const before = tableSnapshot(store);
          let accepted = false;
          try {
            sync.update(corrupted as never);
            accepted = true;
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).issues.length).toBeGreaterThan(0);
            expect(tableSnapshot(store)).toEqual(before);
          }
          if (accepted) {
            // Only a value that is itself valid may pass (fc.anything can produce one).
            const value = (corrupted as Record<string, unknown>)[field];
            if (field === 'phase') expect(PHASES).toContain(value);
            else expect(typeof value === 'number' && Number.isFinite(value) && value >= 0).toBe(true);
            percent = corrupted.percent as number;
            phaseIndex = PHASES.indexOf(corrupted.phase as string);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('file lists under arbitrary input', () => {
  const hostile = fc.oneof(
    fc.constantFrom(
      '/etc/passwd',
      '../outside',
      'a/../../b',
      'C:\\\\win',
      'a//b',
      './a',
      'a/./b',
      '',
      'nul\0byte',
      'line\nbreak',
      'x'.repeat(5000),
      'a\\..\\..\\etc\\passwd',
      '\\\\server\\share\\x',
      'C:x',
      'src/\uD800.ts',
    ),
    fc.string(),
  );

  it('never records an invalid, absolute or escaping path, nor counts one twice', () => {
    const { store } = openTestProgressStore(tmp.path);
    const sync = store.recording.startSync({ jobId: 'paths' });
    const accepted = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostile, fc.constantFrom('src/a.ts', 'src/b.ts', 'lib/c.ts')), { maxLength: 6 }),
        (paths) => {
          const before = sync.files;
          try {
            sync.completeFiles(paths);
            for (const p of paths) {
              expect(p.startsWith('/')).toBe(false);
              expect(p.split(/[\\/]/)).not.toContain('..');
              expect(p).not.toMatch(/^([\\/]|[A-Za-z]:)/);
              expect((p as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
              expect(p).not.toContain('\0');
              // A path finished again is passed over, never counted twice (checked below).
              accepted.add(p);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect(sync.files).toEqual(before);
          }
        },
      ),
      { numRuns: 300 },
    );
    sync.flush();
    expect(rows(store, 'SELECT files_completed FROM checkpoints')).toEqual([
      { files_completed: accepted.size },
    ]);
  });
});

describe('input never reaches SQL except as a bound parameter', () => {
  it('stores hostile strings verbatim and leaves every table in place', () => {
    const { store } = openTestProgressStore(tmp.path);
    const nasty = "x'); DROP TABLE sync_history; --";
    const sync = store.recording.startSync({
      jobId: 'robert-tables',
      files: [nasty, `src/${nasty}.ts`],
      metadata: { note: nasty },
    });
    sync.completeFiles([nasty]);
    sync.fail({ message: nasty, code: nasty.slice(0, 20) });
    const { plan } = store.resume.resume('robert-tables', { changes: [{ status: 'M', path: nasty }] });
    expect(plan.filesToProcess.sort()).toEqual([nasty, `src/${nasty}.ts`].sort());
    expect(
      rows(store, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sync_history'"),
    ).toEqual([{ n: 1 }]);
    expect(
      JSON.parse(
        rows<{ errors: string }>(store, "SELECT errors FROM sync_history WHERE job_id = 'robert-tables'")[0]!
          .errors,
      )[0].message,
    ).toBe(nasty);
  });
});
