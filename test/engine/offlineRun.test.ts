import { EngineHarness, meanVal, smallRun } from './helpers';

let h: EngineHarness;
let firstRun: { runId: string; bestNodeId: string } | undefined;
beforeAll(async () => {
  h = await new EngineHarness().start();
});
afterAll(() => h.stop());

test('a 5-generation offline run completes across continue-as-new; S3 matches status; best = max over eligible', async () => {
  const domains = ['paper-review', 'math-grading'];
  const { runId, handle } = await h.startRun(smallRun({ budget: { generations: 5 }, continueAsNewEvery: 2 }));
  const final = await handle.result();

  expect(final.stopReason).toBe('generation budget reached (5)');
  expect(final.generationsDone).toBe(5);
  expect(final.generationsStarted).toBe(5);
  expect(final.failures).toBe(0);

  const nodes = await h.nodes(runId);
  expect(nodes.map((n) => n.nodeId)).toEqual([
    'gen-00000',
    'gen-00001',
    'gen-00002',
    'gen-00003',
    'gen-00004',
    'gen-00005',
  ]);
  expect(
    nodes.filter((n) => n.generation > 0).every((n) => n.strategy === 'offline' && n.parentId !== null),
  ).toBe(true);
  for (const n of nodes) expect(Object.keys(n.scores).sort()).toEqual([...domains].sort());

  // Eligible: a validated root, or a child with a non-empty patch that validated and has every score.
  const eligible = nodes.filter((n) => n.validation.passed && (n.parentId === null || !n.patchEmpty));
  const scored = eligible.map((n) => ({ id: n.nodeId, score: meanVal(n, domains)! }));
  const max = Math.max(...scored.map((s) => s.score));
  expect(final.bestScore).toBeCloseTo(max, 12);
  expect(scored.find((s) => s.id === final.bestNodeId)?.score).toBeCloseTo(max, 12);
  for (const d of domains) {
    const best = nodes.find((n) => n.nodeId === final.bestNodeId)!;
    expect(final.bestPerDomain[d]).toBeCloseTo(best.scores[d]!.val!.score, 12);
    // The held-out test split was evaluated at the end, for the start node and the best.
    expect(best.scores[d]!.test?.basis).toBe('full');
    expect(nodes[0]!.scores[d]!.test?.basis).toBe('full');
  }

  // Continue-as-new happened (every 2 generations) and the counters survived it.
  const executions: string[] = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${runId}'` }))
    executions.push(wf.runId);
  expect(executions.length).toBeGreaterThanOrEqual(3);
  expect(final.test?.k).toBe(5);
  expect(final.test?.impAtK).toBeCloseTo(
    domains.reduce((a, d) => a + final.test!.best[d]! - final.test!.start[d]!, 0) / domains.length,
    12,
  );
  firstRun = { runId, bestNodeId: final.bestNodeId! };
}, 300_000);

test("transfer: a run starts from another run's node with the meta agent reset, and reports imp@k", async () => {
  expect(firstRun).toBeDefined();
  const from = firstRun!;
  // Put a recognisable edit into the source node's meta agent by starting from the seed-like best.
  const source = await h.archive.getNode(from.runId, from.bestNodeId);
  const sourceProgram = await h.archive.getProgram(source!.snapshotKey);
  const { runId, handle } = await h.startRun(
    smallRun({
      budget: { generations: 1 },
      start: { run: from.runId, node: from.bestNodeId, reset: 'meta' },
    }),
  );
  const final = await handle.result();
  const start = (await h.archive.getNode(runId, 'gen-00000'))!;
  const program = await h.archive.getProgram(start.snapshotKey);
  // The task agent's evolved parameters came along; the meta agent is the seed's.
  expect(program['task/params.json']).toBe(sourceProgram['task/params.json']);
  const seed = await h.archive.getProgram((await h.archive.getNode(from.runId, 'gen-00000'))!.snapshotKey);
  expect(program['meta_agent.mjs']).toBe(seed['meta_agent.mjs']);
  expect(program['meta/params.json']).toBe(seed['meta/params.json']);
  expect(final.test?.startNodeId).toBe('gen-00000');
  expect(final.test?.k).toBe(1);
  expect(typeof final.test?.impAtK).toBe('number');
}, 300_000);
