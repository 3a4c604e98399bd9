import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { projectIdFromName } from '../../src/cli/project';
import { assertProjectId, PROJECT_ID_PATTERN, projectIdProblem } from '../../src/config/project-id';
import { ValidationError } from '../../src/errors';

// A project id becomes a file name under the base folder, so anything that could name
// another place (a separator, `..`, an absolute path, NUL) or a hidden file is refused.
describe('assertProjectId', () => {
  it.each([
    ['a parent-folder escape', '../x'],
    ['an absolute path', '/etc/x'],
    ['the empty string', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a NUL byte', 'a\0b'],
    ['a hidden name', '.hidden'],
    ['"."', '.'],
    ['".."', '..'],
    ['a nested path', 'a/b'],
    ['a Windows separator', 'a\\b'],
    ['a space', 'my project'],
    ['a trailing newline', 'proj\n'],
    // `{id}.db` must be a file on Windows too (issue 11, finding 8).
    ['a trailing dot', 'proj.'],
    ['a trailing space', 'proj '],
    ['a reserved device name', 'CON'],
    ['a reserved device name in lower case', 'nul'],
    ['a numbered device name', 'COM1'],
    ['a printer port', 'lpt9'],
    ['a device name with an extension', 'nul.txt'],
    ['a device name with two extensions', 'Aux.tar.gz'],
    ['PRN', 'prn'],
  ])('rejects %s with a ValidationError', (_what, projectId) => {
    let thrown: unknown;
    try {
      assertProjectId(projectId);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'projectId' }] });
  });

  it.each([undefined, null, 42, {}])('rejects the non-string %p', (projectId) => {
    expect(() => assertProjectId(projectId)).toThrow(ValidationError);
  });

  it.each(['CONSOLE', 'con-1', 'nullable', 'com10', 'lpt', 'com', 'auxiliary.v2', 'x.con'])(
    'accepts %s, which only looks like a device name',
    (projectId) => {
      expect(assertProjectId(projectId)).toBe(projectId);
    },
  );

  it('says which rule a refused id broke', () => {
    expect(() => assertProjectId('nul.txt')).toThrow(/reserved device name on Windows/);
    expect(() => assertProjectId('proj.')).toThrow(/must not end with "\."/);
  });

  it.each(['-proj.', 'a/b.', '.hidden.', 'a b.'])(
    'says %p breaks the general rule, not only the trailing dot',
    (projectId) => {
      expect(projectIdProblem(projectId)).toBe(
        'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
      );
    },
  );

  it('turns any repository name into an id it accepts (property)', () => {
    const name = fc.oneof(
      fc.string(),
      fc.constantFrom('CON', 'nul.txt', 'Aux.tar.gz', 'com1.', 'proj.', 'proj ', '.', '..', ' ', 'lpt1 copy'),
      fc.tuple(fc.constantFrom('con', 'NUL', 'com3', 'Lpt7'), fc.string()).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(name, (n) => {
        expect(assertProjectId(projectIdFromName(n))).toBe(projectIdFromName(n));
      }),
      { seed: Number(process.env.FC_SEED ?? 20261203), numRuns: 3000 },
    );
  });

  it.each([
    'a',
    '0',
    'abc-123-def',
    'My_Project.v2',
    'a'.repeat(128),
    '9f1c2d3e-aaaa-4bbb-8ccc-0123456789ab',
  ])('accepts %s and returns it unchanged', (projectId) => {
    expect(assertProjectId(projectId)).toBe(projectId);
  });

  it('is the same rule drizzle.config.ts repeats for CIDX_PROJECT_ID', () => {
    // drizzle.config.ts cannot import src/ (the package ships it beside dist/), so it
    // copies the pattern; this fails when one of the two is changed alone.
    const config = fs.readFileSync(path.join(__dirname, '..', '..', 'drizzle.config.ts'), 'utf8');
    expect(config).toContain(`/${PROJECT_ID_PATTERN.source}/${PROJECT_ID_PATTERN.flags}`);
  });
});
