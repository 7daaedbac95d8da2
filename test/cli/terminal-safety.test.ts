import { spawnSync } from 'child_process';
import * as path from 'path';
import type { ProgramFiles } from '../../src/agent/program';
import { Archive } from '../../src/archive';
import { projectRoot } from '../../src/host/assets';
import { canonicalJson } from '../../src/util/canonical';
import { freshRunId, makeNode, realStore } from '../archive/fixtures';

/**
 * An archived run whose program and records hold what a hostile agent writes to fool the reviewer's
 * terminal: `\r` and `\x1b[2K` (erase the line, write over it), OSC 8 hyperlinks, a C1 CSI, and a
 * newline in a path that forges a `diff --git` header. The real CLI must show all of it escaped.
 */

/** Runs the built CLI as a user would (make test builds it first), on the suite's stack. */
function cli(args: string[]) {
  const res = spawnSync(process.execPath, [path.join(projectRoot, 'bin/hyperagents.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, HYPERAGENTS_CONFIG: '' },
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** A character the terminal would act on instead of showing (tab and newline excepted). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const store = realStore();
const archive = new Archive(store);
const runId = freshRunId();
afterAll(() => store.cleanUp());

const forgedPath = 'evil.mjs\ndiff --git a/ok.mjs b/ok.mjs';
const seed: ProgramFiles = { 'task_agent.mjs': 'export const w = 1;\n', 'ok.mjs': 'ok\n' };
const edited: ProgramFiles = {
  ...seed,
  'task_agent.mjs':
    'export const w = 2; // harmless\x1b[2K\rexport const w = 1;\n' +
    'export const link = "\x1b]8;;http://evil.example/\x07docs\x1b]8;;\x07";\n' +
    'export const c1 = "\u009b2J";\n',
};

beforeAll(async () => {
  await archive.putNode(makeNode(runId, 0, null, {}, { snapshotKey: await archive.putProgram(seed) }));
  await archive.putNode(
    makeNode(
      runId,
      1,
      0,
      {},
      {
        snapshotKey: await archive.putProgram(edited),
        changedPaths: ['task_agent.mjs', 'cr\rhidden.mjs', 'esc\x1b[2Kline.mjs', forgedPath],
        validation: { passed: false, reasons: ['smoke failed\x1b[2K\rall good'] },
        approval: { status: 'pending', note: 'see \x1b]8;;http://evil.example/\x07here\x1b]8;;\x07' },
        budgetRefusal: 'refused\r\x1b[2K',
        barred: true,
        barredReason: 'crashed\u009b2J',
      },
    ),
  );
  // A snapshot archived before the program boundary refused such names: stored as raw JSON.
  const forged: ProgramFiles = { ...seed, [forgedPath]: 'x\n' };
  await archive.putNode(
    makeNode(runId, 2, 0, {}, { snapshotKey: await archive.putBlob(canonicalJson(forged)) }),
  );
});

test('diff: escape sequences and carriage returns in a patch are shown escaped', () => {
  const r = cli(['diff', runId, 'gen-00001']);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(RAW_CONTROL);
  expect(r.out).toContain(
    [
      '--- a/task_agent.mjs',
      '+++ b/task_agent.mjs',
      '@@ -1,1 +1,3 @@',
      '-export const w = 1;',
      '+export const w = 2; // harmless\\x1b[2K\\rexport const w = 1;',
      '+export const link = "\\x1b]8;;http://evil.example/\\x07docs\\x1b]8;;\\x07";',
      '+export const c1 = "\\x9b2J";',
    ].join('\n'),
  );
});

test('diff: a newline in an archived path never prints a forged header', () => {
  const r = cli(['diff', runId, 'gen-00002']);
  // The archive may refuse the snapshot (program paths with control characters are invalid) or
  // show it: either way nothing printed acts on the terminal, the name is visible, escaped, and no
  // line starts with the forged header.
  const all = r.out + r.err;
  expect(all).not.toMatch(RAW_CONTROL);
  expect(all).toContain('evil.mjs\\ndiff --git a/ok.mjs b/ok.mjs');
  expect(all.split('\n').filter((l) => l.startsWith('diff --git a/ok.mjs'))).toEqual([]);
  if (r.code === 0)
    expect(r.out).toContain(
      'diff --git "a/evil.mjs\\ndiff --git a/ok.mjs b/ok.mjs" "b/evil.mjs\\ndiff --git a/ok.mjs b/ok.mjs"\n',
    );
  else expect(r.err.trim().split('\n')).toHaveLength(1);
});

test('lineage: changed paths with control characters are shown escaped, one node per line', () => {
  const r = cli(['lineage', runId, 'gen-00001']);
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(RAW_CONTROL);
  expect(r.out.trimEnd().split('\n')).toEqual([
    'gen-00000  seed  changed: —',
    'gen-00001  offline  changed: task_agent.mjs, cr\\rhidden.mjs, esc\\x1b[2Kline.mjs, evil.mjs\\ndiff --git a/ok.mjs b/ok.mjs',
  ]);
});

test('archive: a validation reason is shown escaped in the table; --json is still exact JSON', () => {
  const r = cli(['archive', runId]);
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(RAW_CONTROL);
  expect(r.out).toContain('no (smoke failed\\x1b[2K\\rall good)');

  const j = cli(['archive', runId, '--json']);
  expect(j.code).toBe(0);
  expect(j.out).not.toMatch(RAW_CONTROL);
  expect(j.out).toContain('"barredReason": "crashed\\u009b2J"');
  const nodes = JSON.parse(j.out) as Array<{ nodeId: string; barredReason?: string; budgetRefusal?: string }>;
  const gen1 = nodes.find((n) => n.nodeId === 'gen-00001')!;
  expect(gen1.barredReason).toBe('crashed\u009b2J');
  expect(gen1.budgetRefusal).toBe('refused\r\x1b[2K');
});
