import { applyPatch, parsePatch } from 'diff';
import { DIFF_LIMITS, diffPrograms } from '../../src/agent/program/diff';
import type { ProgramFiles } from '../../src/agent/program';

/** `lines` numbered lines of code, `tag` making every line differ from another tag's. */
function code(lines: number, tag: string): string {
  return Array.from({ length: lines }, (_, i) => `export const v${i} = '${tag}-${i}';\n`).join('');
}

/** Applies a multi-file patch of plain paths to `from`, as `git apply` would. */
function applyProgramPatch(from: ProgramFiles, patch: string): ProgramFiles {
  const out: ProgramFiles = { ...from };
  for (const file of parsePatch(patch)) {
    const oldPath = file.oldFileName === '/dev/null' ? undefined : file.oldFileName.slice(2);
    const newPath = file.newFileName === '/dev/null' ? undefined : file.newFileName.slice(2);
    const result = applyPatch(oldPath === undefined ? '' : from[oldPath]!, file);
    if (result === false) throw new Error(`patch of ${oldPath ?? newPath} does not apply`);
    if (oldPath !== undefined) delete out[oldPath];
    if (newPath !== undefined) out[newPath] = result;
  }
  return out;
}

test('a 16,000-line file rewritten end to end is shown whole, and the patch gives the child exactly', async () => {
  const parent: ProgramFiles = { 'big.mjs': code(16_000, 'old'), 'small.mjs': 'a\nb\nc\n' };
  const child: ProgramFiles = {
    'big.mjs': code(16_000, 'new').slice(0, -1), // and no final newline
    'small.mjs': 'a\nB\nc\n',
    'added.mjs': 'x',
  };
  const d = await diffPrograms(parent, child);
  expect(d.wholeFile).toEqual(['big.mjs']);
  expect(d.modified).toEqual(['big.mjs', 'small.mjs']);
  expect(d.patch).toContain("@@ -1,16000 +1,16000 @@\n-export const v0 = 'old-0';\n");
  expect(d.patch).toContain("+export const v15999 = 'new-15999';\n\\ No newline at end of file\n");
  // The small file still gets its minimal hunk.
  expect(d.patch).toContain('@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  expect(applyProgramPatch(parent, d.patch)).toEqual(child);
});

test('a large edit within the limits keeps its minimal hunks, on the worker as inline', async () => {
  const parentText = code(16_000, 'same');
  const lines = parentText.split('\n');
  for (let i = 0; i < 16_000; i += 100) lines[i] = `// changed ${i}`;
  const parent: ProgramFiles = { 'big.mjs': parentText };
  const child: ProgramFiles = { 'big.mjs': lines.join('\n') };
  const onWorker = await diffPrograms(parent, child); // 32,000 lines: past DIFF_LIMITS.inlineLines
  const inline = await diffPrograms(parent, child, { ...DIFF_LIMITS, inlineLines: Infinity });
  expect(onWorker).toEqual(inline);
  expect(onWorker.wholeFile).toEqual([]);
  expect(onWorker.patch.match(/^-export/gm)).toHaveLength(160);
  expect(onWorker.patch.match(/^\+\/\/ changed/gm)).toHaveLength(160);
  expect(applyProgramPatch(parent, onWorker.patch)).toEqual(child);
});

test('the edit budget is shared by all files: once spent, the remaining files are shown whole', async () => {
  const parent: ProgramFiles = { 'a.mjs': code(50, 'a'), 'b.mjs': code(50, 'b'), 'c.mjs': 'c\n' };
  const child: ProgramFiles = { 'a.mjs': code(50, 'A'), 'b.mjs': code(50, 'B'), 'c.mjs': 'C\n' };
  // a.mjs needs 100 edits and gets them; b.mjs would need 100 but only 60 are left; c.mjs none.
  const d = await diffPrograms(parent, child, { maxEditsPerFile: 1000, maxEditsTotal: 160, inlineLines: 0 });
  expect(d.wholeFile).toEqual(['b.mjs', 'c.mjs']);
  expect(applyProgramPatch(parent, d.patch)).toEqual(child);
});

test('the calling thread keeps running while a large diff is computed', async () => {
  const lines = 16_000;
  const parent: ProgramFiles = { 'big.mjs': code(lines, 'old') };
  const child: ProgramFiles = { 'big.mjs': code(lines, 'new') };
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    // A generous bound so the diff itself takes a while: the timer must fire meanwhile.
    const diffing = Promise.resolve(diffPrograms(parent, child, { ...DIFF_LIMITS, maxEditsPerFile: 4000 }));
    const [d, ticksWhenDone] = await diffing.then((result) => [result, ticks] as const);
    expect(ticksWhenDone).toBeGreaterThanOrEqual(10);
    expect(applyProgramPatch(parent, d.patch)).toEqual(child);
  } finally {
    clearInterval(timer);
  }
});
