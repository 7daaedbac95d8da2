import {
  checkProgramPaths,
  programFromOutputs,
  programPathProblem,
  ProgramPathError,
  TOOL_NAMES,
} from '../../src/agent/program';

/*
 * The rules a program passes wherever it enters the host: the path rules (tool files, control
 * characters) and, for a program copied out of a sandbox, the host reader's skip list and caps.
 */

const out = (files: Record<string, string | Buffer>) => ({
  files: Object.fromEntries(
    Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? Buffer.from(c) : c]),
  ),
  skipped: [] as Array<{ path: string; reason: string }>,
});

test('tool files and folders are refused at any depth and in any case', () => {
  for (const name of TOOL_NAMES) {
    for (const variant of [name, name.toUpperCase(), `lib/${name}`, `${name}/x`]) {
      expect(programPathProblem(variant)).toMatch(/tool's configuration/);
    }
  }
  // Windows and macOS spellings of .git: trailing dots or spaces, the 8.3 short name.
  for (const p of ['.git./config', '.git /config', 'GIT~1/config', 'git~2']) {
    expect(programPathProblem(p)).toMatch(/\(\.git\)/);
  }
  for (const ok of ['.gitignore', '.editorconfig', 'git/config', 'my.git', 'docs/.github.md', 'envrc']) {
    expect(programPathProblem(ok)).toBeUndefined();
  }
  expect(() => checkProgramPaths(['a.mjs', '.Git/HEAD'])).toThrow(ProgramPathError);
});

test('control characters, C1 controls and invisible format characters are refused', () => {
  for (const c of [
    '\u0001',
    '\n',
    '\r',
    '\u001b',
    '\u007f',
    '\u0085',
    '\u009b',
    '\u200b',
    '\u202e',
    '\u2066',
    '\ufeff',
  ]) {
    expect(programPathProblem(`a${c}b.mjs`)).toMatch(/control or invisible format character/);
  }
  expect(programPathProblem('héllo/日本.md')).toBeUndefined();
});

test('programFromOutputs takes the program folder, skips node_modules and non-UTF-8, drops excluded paths', () => {
  const got = programFromOutputs(
    {
      ...out({
        'program/a.mjs': 'A',
        'program/lib/b.mjs': 'B',
        'program/node_modules/x/.npmrc': 'x',
        'program/blob.bin': Buffer.from([0xff, 0xfe]),
        'program/workspace/.git/config': 'ignored: not the program',
        'other/c.mjs': 'C',
      }),
      skipped: [{ path: 'program/leak', reason: 'symlink not followed' }],
    },
    { exclude: ['workspace'] },
  );
  expect(got.refused).toBeUndefined();
  expect(got.files).toEqual({ 'a.mjs': 'A', 'lib/b.mjs': 'B' });
  expect(got.skipped).toEqual([
    { path: 'leak', reason: 'symlink not followed' },
    { path: 'blob.bin', reason: 'not UTF-8 text' },
    { path: 'node_modules', reason: 'skipped folder' },
  ]);
});

test('programFromOutputs refuses a program holding a .git/config (in any case), naming every path', () => {
  const got = programFromOutputs(
    out({
      'program/a.mjs': 'A',
      'program/.git/config': '[core]\n\tfsmonitor = touch /tmp/pwned\n',
      'program/.git/HEAD': 'ref: refs/heads/main\n',
      'program/sub/.GIT/config': 'x',
    }),
  );
  expect(got.files).toBeUndefined();
  expect(got.refused).toMatch(/^program path '\.git\/HEAD' refused: .*\.git.*run code/);
  expect(got.skipped.map((s) => s.path)).toEqual(['.git/HEAD', '.git/config', 'sub/.GIT/config']);
});

test('programFromOutputs refuses a program over the caps instead of throwing', () => {
  const many = out(Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`program/f${i}.mjs`, 'x'])));
  expect(programFromOutputs(many, { limits: { maxFiles: 3 } }).refused).toMatch(/more than 3 files/);
  const big = out({ 'program/a.mjs': 'x'.repeat(600) });
  expect(programFromOutputs(big, { limits: { maxFileBytes: 500 } }).refused).toMatch(
    /'a.mjs' is 600 bytes; the limit is 500/,
  );
  expect(programFromOutputs(big, { limits: { maxTotalBytes: 500 } }).refused).toMatch(/more than 500 bytes/);
  expect(programFromOutputs(big).files).toEqual({ 'a.mjs': 'x'.repeat(600) });
});
