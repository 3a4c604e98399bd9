import fc from 'fast-check';
import { childScript, startChild } from '../support/child-process';
import { useTempDir } from '../support/temp-dir';

// drizzle.config.ts ships beside dist/ and cannot import src/, so it repeats the project-id
// and CIDX_HOME rules. `drizzle-kit migrate` must find the file the store uses, and refuse
// what the store refuses (issue 11, findings 5 and 8).
describe('drizzle.config.ts and the store agree on where a project file is', () => {
  const tmp = useTempDir();
  const SEED = Number(process.env.FC_SEED ?? 20261203);

  it('for hand-picked and generated CIDX_HOME values and project ids', async () => {
    const homes = [
      '~',
      '~/cidx',
      'relative/home',
      `${tmp.path}/h\n`,
      `${tmp.path}/h`,
      `${tmp.path}/./a/../h`,
      '~someone/x',
      `${tmp.path}/t\tb`,
    ];
    const ids = ['proj', 'CON', 'nul.txt', 'proj.', 'a-b_c.d', 'COM10', '../x'];
    const cases: { CIDX_HOME: string; CIDX_PROJECT_ID: string }[] = [];
    for (const home of homes) for (const id of ids) cases.push({ CIDX_HOME: home, CIDX_PROJECT_ID: id });
    const generated = fc.sample(
      fc.record({
        // Never a folder outside the test's own (the config creates the folder it finds).
        CIDX_HOME: fc
          .tuple(fc.constantFrom(`${tmp.path}/`, '~/', '~', '', 'rel'), fc.string({ maxLength: 8 }))
          .map(([head, tail]) => head + tail.replace(/\0|\.\.|^\/+/g, '')),
        CIDX_PROJECT_ID: fc.oneof(
          fc.constantFrom('con', 'Lpt1.x', 'ok', 'a.'),
          fc.stringMatching(/^[A-Za-z0-9._ -]{1,12}$/),
        ),
      }),
      { seed: SEED, numRuns: 150 },
    );
    // An empty CIDX_PROJECT_ID means something else to the config (no project at all).
    cases.push(...generated.filter((c) => c.CIDX_PROJECT_ID !== ''));

    const child = startChild(childScript('drizzle-config-rules.js'), [], {
      env: { ...process.env, HOME: tmp.path },
      cwd: tmp.path,
    });
    child.process.stdin!.end(JSON.stringify(cases));
    const result = await child.exited;
    expect(result.stderr).toBe('');
    const outcomes = JSON.parse(result.stdout) as { config: string; store: string }[];
    const disagreements = cases
      .map((c, i) => ({ ...c, ...outcomes[i]! }))
      .filter((o) => o.config !== o.store);
    expect(disagreements).toEqual([]);
    // Both sides did refuse something and accept something: the comparison is not vacuous.
    expect(outcomes.filter((o) => o.store === 'refused').length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o.store !== 'refused').length).toBeGreaterThan(10);
  });
});
