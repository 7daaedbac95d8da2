import { randomUUID } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProgramDir, type ProgramFiles } from '../../src/agent/program';
import { Archive, type NodeRecord } from '../../src/archive';
import { exportRelease } from '../../src/cli/exportRelease';
import {
  listReleases,
  promote,
  promotionRefusal,
  PromotionRefused,
  readRelease,
  type PromoteDeps,
} from '../../src/engine';
import { freshRunId, full, makeNode, realStore } from './fixtures';

/**
 * Promotion (src/engine/promote.ts) on the stack's real S3. Each test promotes into a private
 * folder of the bucket (`base`), so its release numbers start at r0001 whatever else is stored.
 */
const store = realStore();
const archive = new Archive(store);
const bases: string[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'promote-'));
});
afterAll(async () => {
  for (const base of bases) for (const k of await store.list(base)) await store.delete(k);
  await store.cleanUp();
  await fs.rm(tmp, { recursive: true, force: true });
});

function deps(): PromoteDeps & { base: string } {
  const base = `test-releases-${randomUUID()}/`;
  bases.push(base);
  return { archive, store, base };
}

const seed: ProgramFiles = {
  'README.md': `seed ${randomUUID()}\n`,
  'task_agent.mjs': 'export const w = 1;\n',
  'meta_agent.mjs': 'export const improve = () => {};\n',
};
const scores = { 'paper-review': { train: full(0.5), val: full(0.6) } };
const approved = {
  status: 'approved' as const,
  at: '2026-02-01T00:00:00.000Z',
  note: 'looks fine',
  by: 'ana',
};

/** A run whose nodes 1..n change `task_agent.mjs` to `w = <generation + 1>`, each with `over(gen)`. */
async function storeRun(n: number, over: (gen: number) => Partial<NodeRecord> = () => ({})): Promise<string> {
  const runId = freshRunId();
  await archive.putNode(makeNode(runId, 0, null, scores, { snapshotKey: await archive.putProgram(seed) }));
  for (let g = 1; g <= n; g++) {
    const files = { ...seed, 'task_agent.mjs': `export const w = ${g + 1};\n` };
    const snapshotKey = await archive.putProgram(files);
    await archive.putNode(makeNode(runId, g, g - 1, scores, { snapshotKey, ...over(g) }));
  }
  return runId;
}

test('an approved node becomes r0001, then the next one r0002 with a diff against r0001; export writes it', async () => {
  const d = deps();
  const runId = await storeRun(2, () => ({ approval: approved }));

  const first = await promote(d, { runId, nodeId: 'gen-00001', by: 'bo', note: 'ship it' });
  expect(first).toMatchObject({
    releaseId: 'r0001',
    runId,
    nodeId: 'gen-00001',
    promotedBy: 'bo',
    note: 'ship it',
    previousRelease: null,
    approval: approved,
  });
  const keys = await store.list(`${d.base}releases/r0001/`);
  expect(keys.map((k) => k.slice(`${d.base}releases/r0001/`.length)).sort()).toEqual(
    ['approval.json', 'diff.patch', 'manifest.json', 'node.json', 'program.json', 'scores.json'].sort(),
  );
  const r1 = await readRelease(d, 'r0001');
  const node1 = await archive.requireNode(runId, 'gen-00001');
  expect(r1.program).toEqual(await archive.getProgram(node1.snapshotKey));
  expect(r1.node).toEqual(node1);
  expect(JSON.parse(r1.files['scores.json'].toString())).toEqual(scores);
  expect(r1.files['program.json'].equals(await archive.getBlob(node1.snapshotKey))).toBe(true);
  expect(r1.diff).toContain('+export const w = 2;');

  const second = await promote(d, { runId, nodeId: 'gen-00002', by: 'bo' });
  expect(second).toMatchObject({
    releaseId: 'r0002',
    previousRelease: 'r0001',
    changedPaths: ['task_agent.mjs'],
  });
  const r2 = await readRelease(d, 'r0002');
  expect(r2.diff).toContain('-export const w = 2;\n+export const w = 3;\n');
  expect(r2.diff).not.toContain('README.md');
  expect((await listReleases(d)).map((m) => [m.releaseId, m.nodeId])).toEqual([
    ['r0001', 'gen-00001'],
    ['r0002', 'gen-00002'],
  ]);

  // Promoting it again names the release it already is, and writes nothing.
  const before = await store.list(d.base);
  await expect(promote(d, { runId, nodeId: 'gen-00001', by: 'bo' })).rejects.toThrow(
    `${runId}/gen-00001 is already promoted: release r0001`,
  );
  expect(await store.list(d.base)).toEqual(before);

  const dir = path.join(tmp, 'r0002');
  await exportRelease(d, 'r0002', dir);
  expect(await readProgramDir(path.join(dir, 'program'))).toEqual(r2.program);
  expect(JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(second);
  expect(await fs.readFile(path.join(dir, 'diff.patch'), 'utf8')).toBe(r2.diff);
});

test('pending, rejected, never approved, ineligible and unknown nodes are refused with nothing written', async () => {
  const d = deps();
  const runId = await storeRun(
    5,
    (g) =>
      [
        {},
        { approval: { status: 'pending' as const } },
        { approval: { status: 'rejected' as const, note: 'cheats on the grader', by: 'ana' } },
        {},
        { approval: approved, validation: { passed: false, reasons: ['crashed on smoke task'] } },
        { approval: approved, barred: true, barredReason: 'meta agent timed out' },
      ][g] ?? {},
  );
  const cases: [string, string][] = [
    [
      'gen-00001',
      `${runId}/gen-00001 is awaiting approval: approve it first (hyperagents approve ${runId} gen-00001)`,
    ],
    [
      'gen-00002',
      `${runId}/gen-00002 was rejected (cheats on the grader): a rejected node is never promoted`,
    ],
    ['gen-00003', `${runId}/gen-00003 was never approved`],
    ['gen-00004', `${runId}/gen-00004 is not eligible: it failed validation`],
    ['gen-00005', `${runId}/gen-00005 is not eligible: it is barred (meta agent timed out)`],
    ['gen-00009', `run ${runId} has no node gen-00009`],
  ];
  for (const [nodeId, message] of cases) {
    const refused = promote(d, { runId, nodeId, by: 'bo' });
    await expect(refused).rejects.toBeInstanceOf(PromotionRefused);
    await expect(promote(d, { runId, nodeId, by: 'bo' })).rejects.toThrow(message);
  }
  await expect(promote(d, { runId: freshRunId(), nodeId: 'gen-00001', by: 'bo' })).rejects.toThrow(
    /has no nodes in the archive/,
  );
  await expect(promote(d, { runId, nodeId: 'gen-1', by: 'bo' })).rejects.toThrow(/must look like gen-00042/);
  expect(await store.list(d.base)).toEqual([]);
  expect(await listReleases(d)).toEqual([]);
});

test('concurrent promotions get distinct, consecutive ids; one node promoted twice at once makes at most one release', async () => {
  const d = deps();
  const runId = await storeRun(6, () => ({ approval: approved }));
  const ids = ['gen-00001', 'gen-00002', 'gen-00003', 'gen-00004'];
  const made = await Promise.all(ids.map((nodeId) => promote(d, { runId, nodeId, by: 'bo' })));
  expect(made.map((m) => m.releaseId).sort()).toEqual(['r0001', 'r0002', 'r0003', 'r0004']);
  for (const m of made) expect((await readRelease(d, m.releaseId)).manifest.nodeId).toBe(m.nodeId);

  const same = await Promise.allSettled(
    [1, 2, 3].map(() => promote(d, { runId, nodeId: 'gen-00005', by: 'bo' })),
  );
  const ok = same.filter((s) => s.status === 'fulfilled');
  expect(ok.length).toBeLessThanOrEqual(1);
  for (const s of same)
    if (s.status === 'rejected')
      expect(String(s.reason)).toMatch(/gen-00005 is (already promoted|being promoted)/);
  const releasesOf5 = (await listReleases(d)).filter((m) => m.nodeId === 'gen-00005');
  expect(releasesOf5.length).toBe(ok.length);
  // Whatever happened, the node can be promoted (or already is): retried, it ends with exactly one.
  if (ok.length === 0) await promote(d, { runId, nodeId: 'gen-00005', by: 'bo' });
  expect((await listReleases(d)).filter((m) => m.nodeId === 'gen-00005')).toHaveLength(1);
}, 30_000);

test('a release whose file no longer matches its manifest is refused on read and on export', async () => {
  const d = deps();
  const runId = await storeRun(1, () => ({ approval: approved }));
  await promote(d, { runId, nodeId: 'gen-00001', by: 'bo' });
  await store.put(`${d.base}releases/r0001/diff.patch`, 'forged\n');
  await expect(readRelease(d, 'r0001')).rejects.toThrow(
    'release r0001: diff.patch does not match the sha256 in its manifest',
  );
  await expect(exportRelease(d, 'r0001', path.join(tmp, 'forged'))).rejects.toThrow(/does not match/);
  await expect(readRelease(d, 'r0042')).rejects.toThrow('there is no release r0042');
});

test('promotionRefusal (pure): approval first, then every eligibility problem at once', () => {
  const node = makeNode('run-a', 3, 2, {}, { approval: approved, patchEmpty: true, changedPaths: [] });
  expect(promotionRefusal(node)).toBe(
    'run-a/gen-00003 is not eligible: its patch is empty, it has no scores',
  );
  expect(promotionRefusal(makeNode('run-a', 0, null, scores, { approval: approved }))).toBeUndefined();
  expect(
    promotionRefusal(
      makeNode(
        'run-a',
        1,
        0,
        { d: { val: { ...full(0.5), incomplete: 'gateway refused 2 calls' } } },
        { approval: approved },
      ),
    ),
  ).toBe('run-a/gen-00001 is not eligible: its evaluation is incomplete (d/val: gateway refused 2 calls)');
});
