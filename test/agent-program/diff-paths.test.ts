import { execFileSync } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffPrograms, quotePatchPath } from '../../src/agent/program/diff';
import type { ProgramFiles } from '../../src/agent/program';

// Paths an archived program may hold whatever the program boundary accepts today: diff.ts must not
// let any of them start a line of the patch.
const forged = 'evil.mjs\ndiff --git a/ok.mjs b/ok.mjs\n+++ b/ok.mjs';
const hostile = [forged, 'cr\rhidden.mjs', 'esc\x1b[2Kline.mjs', 'q"uote.mjs', 'c1\u009b2J.mjs'];

test('quotePatchPath quotes like git: C escapes, octal for other control bytes, plain names as they are', () => {
  expect(quotePatchPath('a/lib/x.mjs')).toBe('a/lib/x.mjs');
  expect(quotePatchPath('a/naïve café.mjs')).toBe('a/naïve café.mjs');
  expect(quotePatchPath('a/x\ny')).toBe('"a/x\\ny"');
  expect(quotePatchPath('a/cr\rhidden')).toBe('"a/cr\\rhidden"');
  expect(quotePatchPath('a/esc\x1b[2K')).toBe('"a/esc\\033[2K"');
  expect(quotePatchPath('a/q"uote')).toBe('"a/q\\"uote"');
  expect(quotePatchPath('a/c1\u009b')).toBe('"a/c1\\302\\233"');
  expect(quotePatchPath('a/del\x7f')).toBe('"a/del\\177"');
});

test('a path with a newline or control character never forges a patch header; git applies the patch', async () => {
  const parent: ProgramFiles = { 'ok.mjs': 'export const ok = 1;\n' };
  const child: ProgramFiles = { ...parent };
  hostile.forEach((p, i) => (child[p] = `export const n = ${i};\n`));
  const d = await diffPrograms(parent, child);
  expect(d.added).toEqual([...hostile].sort());

  // One `diff --git` line per changed file, each the quoted name of that file: nothing forged.
  const headers = d.patch.split('\n').filter((l) => l.startsWith('diff --git '));
  expect(headers).toEqual(
    [...hostile].sort().map((p) => `diff --git ${quotePatchPath(`a/${p}`)} ${quotePatchPath(`b/${p}`)}`),
  );
  expect(d.patch).toContain('diff --git "a/evil.mjs\\ndiff --git a/ok.mjs b/ok.mjs\\n+++ b/ok.mjs" ');
  expect(d.patch.split('\n').filter((l) => l.startsWith('+++ '))).toHaveLength(hostile.length);
  // No raw control character is left (the contents have none; the names are quoted).
  // eslint-disable-next-line no-control-regex
  expect(d.patch.replace(/\n/g, '')).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);

  // git reads the quoted names back: applying the patch to the parent gives the child.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'diff-paths-'));
  try {
    await fs.writeFile(path.join(dir, 'ok.mjs'), parent['ok.mjs']!);
    await fs.writeFile(path.join(dir, 'patch.diff'), d.patch);
    execFileSync('git', ['apply', '--unsafe-paths', 'patch.diff'], { cwd: dir });
    await fs.rm(path.join(dir, 'patch.diff'));
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.path, e.name)));
    expect(files.sort()).toEqual(Object.keys(child).sort());
    for (const f of files) expect(await fs.readFile(path.join(dir, f), 'utf8')).toBe(child[f]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
