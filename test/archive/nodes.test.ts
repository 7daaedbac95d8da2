import { Archive, childCountsOf, NodeConflictError, nodeKey } from '../../src/archive';
import { freshRunId, full, makeNode, realStore } from './fixtures';

const store = realStore();
const archive = new Archive(store, { readConcurrency: 16 });
afterAll(() => store.cleanUp());

test('putNode is idempotent: a retried write of the same node keeps one record', async () => {
  const runId = freshRunId();
  const node = makeNode(runId, 0, null, { alpha: { train: full(0.5) } });
  expect(await archive.putNode(node)).toEqual({ record: node, written: true });
  const retry = { ...node, createdAt: '2026-01-02T00:00:00.000Z' };
  expect(await archive.putNode(retry)).toEqual({ record: node, written: false });
  expect(await store.list(`runs/${runId}/`)).toEqual([nodeKey(runId, 'gen-00000')]);
  expect(store.putKeys.filter((k) => k === nodeKey(runId, 'gen-00000'))).toHaveLength(1);
  expect((await archive.getNode(runId, 'gen-00000'))?.createdAt).toBe('2026-01-01T00:00:00.000Z');
});

test('a different record under an existing node id is refused and the stored one kept', async () => {
  const runId = freshRunId();
  const node = makeNode(runId, 0, null, { alpha: { train: full(0.5) } });
  await archive.putNode(node);
  const other = { ...node, scores: { alpha: { train: full(0.9) } }, costUsd: 1 };
  await expect(archive.putNode(other)).rejects.toThrow(NodeConflictError);
  await expect(archive.putNode(other)).rejects.toThrow(/different costUsd, scores/);
  expect(await archive.getNode(runId, 'gen-00000')).toEqual(node);
});

test('putNode refuses an id that does not match the generation, a later parent and bad scores', async () => {
  const runId = freshRunId();
  await expect(archive.putNode({ ...makeNode(runId, 3, 1), nodeId: 'gen-00004' })).rejects.toThrow(
    /must have id gen-00003/,
  );
  await expect(archive.putNode(makeNode(runId, 3, 3))).rejects.toThrow(/not from an earlier generation/);
  await expect(archive.putNode(makeNode(runId, 1, 0, { a: { val: full(Number.NaN) } }))).rejects.toThrow(
    /scores\.a\.val\.score/,
  );
  await expect(archive.putNode(makeNode('bad/run', 1, 0))).rejects.toThrow(/run id/);
  expect(await store.list(`runs/${runId}/`)).toEqual([]);
});

test('updateNode merges scores per split and changes approval; getNode of a missing node is undefined', async () => {
  const runId = freshRunId();
  await archive.putNode(makeNode(runId, 0, null));
  await archive.putNode(makeNode(runId, 1, 0, { alpha: { train: full(0.4) } }));
  const updated = await archive.updateNode(runId, 'gen-00001', {
    scores: { alpha: { val: full(0.6) }, beta: { train: full(0.2) } },
    approval: { status: 'approved', note: 'ok', at: '2026-01-03T00:00:00.000Z' },
  });
  const expected = {
    alpha: { train: full(0.4), val: full(0.6) },
    beta: { train: full(0.2) },
  };
  expect(updated.scores).toEqual(expected);
  const stored = await archive.getNode(runId, 'gen-00001');
  expect(stored?.scores).toEqual(expected);
  expect(stored?.approval?.status).toBe('approved');
  expect(stored?.parentId).toBe('gen-00000');
  expect(await archive.getNode(runId, 'gen-00099')).toBeUndefined();
  await expect(archive.updateNode(runId, 'gen-00099', { barred: true })).rejects.toThrow(/no node gen-00099/);
});

test('listNodes reads a few hundred nodes in generation order; lineage and child counts', async () => {
  const runId = freshRunId();
  // 300 nodes: node g's parent is floor((g - 1) / 2), a binary tree, so every inner node has 2
  // children except node 149 (children 299 only) and leaves 150..299.
  const n = 300;
  const nodes = Array.from({ length: n }, (_, g) =>
    makeNode(runId, g, g === 0 ? null : Math.floor((g - 1) / 2), { alpha: { train: full(g / 1000) } }),
  );
  for (let i = n - 1; i >= 0; i--) await archive.putNode(nodes[i]!); // written in reverse on purpose
  const listed = await archive.listNodes(runId);
  expect(listed).toHaveLength(n);
  expect(listed.map((r) => r.generation)).toEqual(nodes.map((r) => r.generation));
  expect(listed[123]).toEqual(nodes[123]);

  // gen 200 → 99 → 49 → 24 → 11 → 5 → 2 → 0
  expect((await archive.lineage(runId, 'gen-00200')).map((r) => r.generation)).toEqual([
    0, 2, 5, 11, 24, 49, 99, 200,
  ]);
  expect((await archive.lineage(runId, 'gen-00000')).map((r) => r.nodeId)).toEqual(['gen-00000']);

  const counts = childCountsOf(await archive.listNodes(runId));
  expect(Object.keys(counts)).toHaveLength(n);
  expect(counts['gen-00000']).toBe(2);
  expect(counts['gen-00148']).toBe(2);
  expect(counts['gen-00149']).toBe(1);
  expect(counts['gen-00150']).toBe(0);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(n - 1);

  expect(await archive.deleteRunRecords(runId)).toBe(n);
  expect(await archive.listNodes(runId)).toEqual([]);
});

test('records are sharded 1000 generations to a folder and listed across shards', async () => {
  const runId = freshRunId();
  const gens = [0, 1, 999, 1000, 1001, 2000];
  for (const g of gens) await archive.putNode(makeNode(runId, g, g === 0 ? null : 0));
  expect(nodeKey(runId, 'gen-00999')).toBe(`runs/${runId}/nodes/000/gen-00999.json`);
  expect(nodeKey(runId, 'gen-02000')).toBe(`runs/${runId}/nodes/002/gen-02000.json`);
  expect((await store.list(`runs/${runId}/nodes/001/`)).sort()).toEqual([
    `runs/${runId}/nodes/001/gen-01000.json`,
    `runs/${runId}/nodes/001/gen-01001.json`,
  ]);
  expect((await archive.listNodes(runId)).map((r) => r.generation)).toEqual(gens);
  expect(childCountsOf(await archive.listNodes(runId))['gen-00000']).toBe(5);
  await archive.putReport(runId, 'gen-01000', 'alpha', 'val', { perTask: [] });
  expect(await archive.deleteRunRecords(runId)).toBe(gens.length + 1);
  expect(await store.list(`runs/${runId}/`)).toEqual([]);
});
