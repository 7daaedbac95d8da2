import { dgmMetaAgent, META_SET, TASK_SET } from '../../src/agent/layout';
import { pathMatcher, type ProgramFiles } from '../../src/agent/program';
import {
  incompleteEvaluationsOf,
  selectionKey,
  selectionSnapshotOf,
  type NodeRecord,
} from '../../src/archive';
import { loadConfig, type LoadedConfig } from '../../src/config';
import { DomainRegistry } from '../../src/domains';
import { numericSeed, type RunConfigInput } from '../../src/engine';
import { readCallLog, type CallRecord } from '../../src/llm';
import { startScriptedLlmWorld, type ScriptedLlmWorld } from '../fixtures/scripted-llm';
import { DATA_DIR } from '../domains/helpers';
import { EngineHarness, smallRun } from './helpers';

/**
 * End-to-end LLM runs in the scripted LLM world (docs/llm-test-world.md): a test rig whose answers
 * depend on what the meta agent wrote, never an LLM result. What it checks is the engine's
 * bookkeeping: where scores come from, what is spent, what is ranked, what is frozen.
 */
const RUN_SEED = 'llm-world';
const SIZES = { train: 10, val: 10, test: 10 };
const PRICE = { inputUsdPerMTok: 1, outputUsdPerMTok: 1 };
const DOMAINS = ['paper-review', 'math-grading'];

let world: ScriptedLlmWorld;

/** The label oracle: the test's own data, matched by the task's text in the prompt. */
async function oracle(): Promise<(domain: string, prompt: string) => string | undefined> {
  const builtins = new DomainRegistry();
  const papers = await builtins
    .get('paper-review')
    .loadTasks({ seed: numericSeed(RUN_SEED), sizes: SIZES, dataDir: DATA_DIR });
  const grading = await builtins.get('math-grading').loadTasks({ dataDir: DATA_DIR });
  const paperKeys = Object.values(papers.splits)
    .flat()
    .map((t) => [(t.input as { title: string }).title, papers.labels.get(t.id) as string] as const);
  const gradeKeys = Object.values(grading.splits)
    .flat()
    .map(
      (t) =>
        [
          (t.input as { response: string }).response.slice(0, 300),
          (grading.labels.get(t.id) as { grade: string }).grade,
        ] as const,
    );
  return (domain, prompt) => {
    if (domain === 'paper-review') {
      const hit = paperKeys.find(([title]) => prompt.includes(`Title: ${title}\n`));
      return hit && `Decision: ${hit[1]}`;
    }
    if (domain === 'math-grading') {
      const hit = gradeKeys.find(([start]) => prompt.includes(start));
      return hit && `Grade: ${hit[1]}`;
    }
    return undefined;
  };
}

function worldConfig(w: ScriptedLlmWorld): LoadedConfig {
  const base = loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } });
  const llm = w.llmConfig();
  return {
    ...base,
    llm: { ...base.llm, ...llm, prices: { [llm.metaModel]: PRICE, [llm.taskModel]: PRICE } },
  };
}

function run(over: RunConfigInput): RunConfigInput {
  return smallRun({
    domains: ['paper-review', 'math-grading'],
    domainSplitSizes: { 'paper-review': SIZES },
    seed: RUN_SEED,
    ...over,
  });
}

const only = (program: ProgramFiles, set: readonly string[]): ProgramFiles => {
  const inSet = pathMatcher(set);
  return Object.fromEntries(Object.entries(program).filter(([p]) => inSet(p)));
};

async function allCalls(h: EngineHarness, runId: string, nodes: NodeRecord[]): Promise<CallRecord[]> {
  return (await Promise.all(nodes.map((n) => readCallLog(h.store, runId, n.nodeId)))).flat();
}

let h: EngineHarness;
beforeAll(async () => {
  world = await startScriptedLlmWorld({
    seed: 'engine-e2e',
    oracle: await oracle(),
    // Empty replies make the task agent fall back to its heuristic: fallbacks to count, never a model answer.
    faults: { rateLimit: 0.03, retryAfterMs: 20, emptyContent: 0.05, roles: ['task'] },
  });
  h = await new EngineHarness(worldConfig(world)).start();
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await world?.stop();
});

let mainRun: { runId: string; nodes: NodeRecord[] } | undefined;

test('an LLM run: test scores from the model, imp@k from the archive, every answer counted, fallbacks never ranked', async () => {
  const { runId, handle } = await h.startRun(run({ budget: { generations: 6 }, parallelism: 2 }));
  const final = await handle.result();
  const nodes = await h.archive.listNodes(runId);
  mainRun = { runId, nodes };
  const calls = await allCalls(h, runId, nodes);

  // Spend is what the call logs say.
  const logged = calls.filter((c) => c.outcome === 'upstream').reduce((s, c) => s + c.costUsd, 0);
  expect(final.spentUsd).toBeCloseTo(logged, 9);

  // Held-out test: asked of the model, and imp@k is what the archive's test scores say.
  const test = final.test!;
  expect(test).toBeDefined();
  expect(calls.filter((c) => c.purpose?.startsWith('test:')).length).toBeGreaterThan(0);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const testScores = (id: string) =>
    DOMAINS.map((d) => nodes.find((n) => n.nodeId === id)!.scores[d]!.test!.score);
  expect(test.impAtK).toBeCloseTo(mean(testScores(test.bestNodeId)) - mean(testScores(test.startNodeId)), 12);
  for (const id of new Set([test.startNodeId, test.bestNodeId])) {
    for (const d of DOMAINS) {
      const a = nodes.find((n) => n.nodeId === id)!.scores[d]!.test!;
      expect(a.answers!.model + a.answers!.fallback + a.answers!.failed).toBe(a.evaluated);
      expect(a.answers!.model).toBeGreaterThan(0);
      expect(a.answers!.offline).toBe(0);
    }
  }

  // Answers are counted on every evaluation; an incomplete one is never ranked.
  const snapshot = selectionSnapshotOf(nodes, DOMAINS);
  for (const n of nodes) {
    for (const d of DOMAINS) {
      for (const split of ['train', 'val'] as const) {
        const a = n.scores[d]?.[split];
        if (a)
          expect(a.answers!.model + a.answers!.fallback + a.answers!.offline + a.answers!.failed).toBe(
            a.evaluated,
          );
      }
    }
    if (incompleteEvaluationsOf(n.scores, DOMAINS).length > 0) {
      expect(snapshot.candidates.find((c) => c.id === n.nodeId)!.eligible).toBe(false);
      expect(final.bestNodeId).not.toBe(n.nodeId);
    }
  }
  expect(world.counts().byOutcome['fault:empty-content'] ?? 0).toBeGreaterThan(0);
  const fallbacks = nodes
    .flatMap((n) => Object.values(n.scores).flatMap((s) => [s.train, s.val]))
    .reduce((sum, s) => sum + (s?.answers?.fallback ?? 0), 0);
  expect(fallbacks).toBeGreaterThan(0);
}, 900_000);

test('parallelism 4 never overspends the USD budget by more than the calls in flight', async () => {
  const budgetUsd = 3;
  const { runId, handle } = await h.startRun(
    run({ budget: { generations: 12, usd: budgetUsd }, parallelism: 4, testAtEnd: false }),
  );
  const final = await handle.result();
  expect(final.stopReason).toMatch(/budget/);
  const calls = await allCalls(h, runId, await h.archive.listNodes(runId));
  const maxCall = Math.max(...calls.map((c) => c.costUsd));
  // Four generations in flight, each with at most a few calls at once (the batch's concurrency).
  expect(final.spentUsd).toBeLessThanOrEqual(budgetUsd + 4 * 4 * maxCall);
  expect(final.spentUsd).toBeCloseTo(
    calls.filter((c) => c.outcome === 'upstream').reduce((s, c) => s + c.costUsd, 0),
    9,
  );
}, 900_000);

test('a frozen-meta run (no-self-improve) never changes a meta file, whatever its meta agent writes', async () => {
  const { runId, handle } = await h.startRun(
    run({ method: 'no-self-improve', budget: { generations: 4 }, parallelism: 2, testAtEnd: false }),
  );
  await handle.result();
  const nodes = await h.archive.listNodes(runId);
  const startMeta = only(await h.archive.getProgram(nodes[0]!.snapshotKey), META_SET);
  for (const n of nodes) {
    expect(only(await h.archive.getProgram(n.snapshotKey), META_SET)).toEqual(startMeta);
    expect(n.metaChanged).toBe(false);
  }
}, 600_000);

test('transfer with reset task restores exactly the task agent, and keeps the source meta agent', async () => {
  expect(mainRun).toBeDefined();
  const source = mainRun!.nodes.at(-1)!;
  const { runId, handle } = await h.startRun(
    run({
      budget: { generations: 1 },
      testAtEnd: false,
      start: { run: mainRun!.runId, node: source.nodeId, reset: 'task' },
    }),
  );
  await handle.result();
  const startProgram = await h.archive.getProgram((await h.archive.getNode(runId, 'gen-00000'))!.snapshotKey);
  const sourceProgram = await h.archive.getProgram(source.snapshotKey);
  const seedProgram = await h.archive.getProgram(mainRun!.nodes[0]!.snapshotKey);
  expect(only(startProgram, TASK_SET)).toEqual(only(seedProgram, TASK_SET));
  expect(only(startProgram, META_SET)).toEqual(only(sourceProgram, META_SET));
}, 600_000);

test('a root whose meta agent crashes is never barred, and the run goes on from it', async () => {
  // A start program whose meta agent always throws: every generation's meta session crashes.
  const seed = await h.archive.getProgram(mainRun!.nodes[0]!.snapshotKey);
  const crashing = {
    ...seed,
    'meta_agent.mjs': "export async function improve() {\n  throw new Error('boom');\n}\n",
  };
  const origin = `world-origin-${Date.now()}`;
  await h.archive.putNode({
    ...mainRun!.nodes[0]!,
    runId: origin,
    snapshotKey: await h.archive.putProgram(crashing),
    scores: {},
    approval: undefined,
  });
  const { runId, handle } = await h.startRun(
    run({
      domains: ['paper-review'],
      budget: { generations: 3 },
      testAtEnd: false,
      start: { run: origin, node: 'gen-00000' },
    }),
  );
  const final = await handle.result();
  expect([final.generationsDone, final.failures]).toEqual([3, 0]);
  const nodes = await h.archive.listNodes(runId);
  expect(nodes[0]!.barred).toBeUndefined();
  expect(nodes.slice(1).map((n) => [n.parentId, n.metaOutcome])).toEqual([
    ['gen-00000', 'crashed'],
    ['gen-00000', 'crashed'],
    ['gen-00000', 'crashed'],
  ]);
}, 600_000);

test("a dgm run runs DGM's own meta agent, frozen, and selects by DGM's rule", async () => {
  const { runId, handle } = await h.startRun(
    run({ method: 'dgm', budget: { generations: 2 }, testAtEnd: false }),
  );
  await handle.result();
  const dgm = await dgmMetaAgent();
  for (const n of await h.archive.listNodes(runId)) {
    expect(only(await h.archive.getProgram(n.snapshotKey), META_SET)).toEqual(dgm);
  }
  for (const g of [1, 2]) {
    const record = JSON.parse((await h.store.get(selectionKey(runId, `gen-0000${g}`)))!.toString()) as {
      policy: string;
    };
    expect(record.policy).toBe('dgm');
  }
}, 600_000);
