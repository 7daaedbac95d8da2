import { META_SET, dgmMetaAgent, seedProgram } from '../../src/agent/layout';
import type { ProgramFiles } from '../../src/agent/program';
import { Archive } from '../../src/archive';
import type { Domain, DomainCatalog, LoadedTasks } from '../../src/domains';
import { createStartNode, parseRunConfig, selfModify, type EngineDeps } from '../../src/engine';
import { MemoryObjectStore } from '../../src/storage';
import { localNodeSandbox, setOf } from './helpers';

/**
 * The `dgm` method runs DGM's own meta agent (src/agent/dgm), frozen at the start node, with the
 * real harness over an in-memory archive: what the start node and its children carry, and what the
 * offline analogue edits.
 */

const paper = (id: string, abstract: string) => ({ id, input: { title: `Paper ${id}`, abstract } });
const tasks: LoadedTasks = {
  splits: {
    train: [paper('t1', 'a first study'), paper('t2', 'a second study'), paper('t3', 'a third study')],
    val: [paper('v1', 'a validation study')],
    test: [paper('x1', 'a test study')],
  },
  labels: new Map([
    ['t1', 'accept'],
    ['t2', 'accept'],
    ['t3', 'reject'],
    ['v1', 'accept'],
    ['x1', 'reject'],
  ]),
};
// Named like the built-in domain, so the seed task agent's paper-review section applies.
const reviews: Domain = {
  name: 'paper-review',
  staged: { sampleSize: 1, gate: 0 },
  describe: () => 'Return "accept" or "reject".',
  loadTasks: () => Promise.resolve(tasks),
  score: () => ({ score: 1 }),
  aggregate: () => ({ score: 1 }),
  expectedPrediction: (label) => label,
};
const domains: DomainCatalog = {
  domain: () => reviews,
  tasks: () => Promise.resolve(tasks),
  tasksFromFile: () => Promise.reject(new Error('not in this test')),
};
const dgm = parseRunConfig({ domains: ['paper-review'], budget: { generations: 5 }, method: 'dgm' });

function deps(): EngineDeps {
  return {
    archive: new Archive(new MemoryObjectStore()),
    sandbox: () => Promise.resolve(localNodeSandbox()),
    limits: { memoryMb: 256, cpus: 1, pids: 64, timeoutSec: 60, scratchMb: 64 },
    domains,
    openLlmSession: () => Promise.resolve(undefined),
    recordedSpend: () => Promise.resolve({ usd: 0, tokens: 0 }),
  };
}

const step = (generation: number, parentId: string) => ({
  runId: 'run-1',
  generation,
  config: dgm,
  parentId,
  budgetLeft: {},
  generationsLeft: 5 - generation,
});

async function nodeProgram(d: EngineDeps, nodeId: string): Promise<ProgramFiles> {
  return d.archive.getProgram((await d.archive.requireNode('run-1', nodeId)).snapshotKey);
}

/** Gives the start node a train report: t1 failed (the trace's decision value 0.2), t2 and t3 solved. */
async function withTrainReport(d: EngineDeps, nodeId: string): Promise<void> {
  const trace = (score: number) => ({
    domain: 'paper-review',
    solver: 'paper-review',
    score,
    path: 'offline',
  });
  const reportKey = await d.archive.putReport('run-1', nodeId, 'paper-review', 'train', {
    score: 2 / 3,
    tasks: [
      { id: 't1', prediction: 'reject', score: 0, answer: 'offline', trace: trace(0.2) },
      { id: 't2', prediction: 'accept', score: 1, answer: 'offline', trace: trace(0.9) },
      { id: 't3', prediction: 'reject', score: 1, answer: 'offline', trace: trace(0.1) },
    ],
  });
  await d.archive.updateNode('run-1', nodeId, {
    scores: {
      'paper-review': { train: { score: 2 / 3, basis: 'full', evaluated: 3, total: 3, reportKey } },
    },
  });
}

/** task/params.json leaves that differ, as `path: from → to`. */
function paramChanges(before: string, after: string): string[] {
  const flat = (v: unknown, prefix = ''): Array<[string, unknown]> =>
    v !== null && typeof v === 'object'
      ? Object.entries(v).flatMap(([k, x]) => flat(x, prefix ? `${prefix}.${k}` : k))
      : [[prefix, v]];
  const was = new Map(flat(JSON.parse(before)));
  const now = new Map(flat(JSON.parse(after)));
  return [...new Set([...was.keys(), ...now.keys()])]
    .filter((k) => was.get(k) !== now.get(k))
    .map((k) => `${k}: ${String(was.get(k))} → ${String(now.get(k))}`);
}

test("a dgm run's start node and every child carry DGM's meta agent byte for byte, not the seed's", async () => {
  const d = deps();
  const dgmFiles = await dgmMetaAgent();
  expect(Object.keys(dgmFiles)).toEqual(expect.arrayContaining(['meta_agent.mjs', 'meta/params.json']));
  expect(dgmFiles['meta_agent.mjs']).not.toBe((await seedProgram())['meta_agent.mjs']);

  const start = await createStartNode(d, { runId: 'run-1', config: dgm });
  expect(start.validation.reasons).toEqual([]);
  expect(setOf(await nodeProgram(d, start.nodeId), META_SET)).toEqual(dgmFiles);
  await withTrainReport(d, start.nodeId);

  let parentId = start.nodeId;
  for (let g = 1; g <= 3; g++) {
    const child = await selfModify(d, step(g, parentId));
    expect(setOf(await nodeProgram(d, child.nodeId), META_SET)).toEqual(dgmFiles);
    expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
      strategy: 'offline',
      metaChanged: false,
    });
    parentId = child.nodeId;
  }
}, 60_000);

test("DGM's offline meta agent changes exactly one task parameter of the failed task's domain and writes its diagnosis", async () => {
  const d = deps();
  const start = await createStartNode(d, { runId: 'run-1', config: dgm });
  await withTrainReport(d, start.nodeId);
  const child = await selfModify(d, step(1, start.nodeId));
  expect(child.validation.reasons).toEqual([]);

  const before = await nodeProgram(d, start.nodeId);
  const after = await nodeProgram(d, child.nodeId);
  expect(await d.archive.requireNode('run-1', child.nodeId)).toMatchObject({
    changedPaths: ['memory/notes.md', 'task/params.json'],
    revertedPaths: [],
  });
  // t1 decided on 0.2 where the task answered "accept" (t2) decided on 0.9: the bias moves by 0.7.
  expect(paramChanges(before['task/params.json']!, after['task/params.json']!)).toEqual([
    'domains.paper-review.bias: 0 → 0.7',
  ]);
  const note = after['memory/notes.md']!.slice(before['memory/notes.md']!.length);
  expect(note).toMatch(/offline analogue of DGM's diagnose-and-fix \(a rule, no LLM\)/);
  expect(note).toMatch(/failed train task: paper-review t1/);
  expect(note).toMatch(/answered "reject" where the label wants "accept"/);
  expect(note).toMatch(/domains\.paper-review\.bias 0 → 0\.7/);
}, 60_000);
