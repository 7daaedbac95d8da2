import { loadConfig, type LoadedConfig } from '../../src/config';
import { DomainRegistry } from '../../src/domains';
import { numericSeed } from '../../src/engine';
import { paperProtocol } from '../../bench/paper-protocol';
import { startScriptedLlmWorld, type ScriptedLlmWorld } from '../fixtures/scripted-llm';
import { DATA_DIR } from '../domains/helpers';

/**
 * bench/paper-protocol against the scripted LLM world (docs/llm-test-world.md), with tiny settings.
 * Everything it prints here was produced by the scripted model, a test rig: these are checks of the
 * protocol's plumbing (runs through the gateway, the cap, the dry run's plan), never a result.
 */
const SIZES = { train: 5, val: 5, test: 5 };
const PRICE = { inputUsdPerMTok: 1, outputUsdPerMTok: 1 };
const CAP_USD = 0.5;
const ARGS = [
  '--usd',
  String(CAP_USD),
  '--seeds',
  '1',
  '--generations',
  '1',
  '--methods',
  'dgm-h',
  '--domains',
  'paper-review',
  '--transfer-from',
  'paper-review',
  '--transfer-to',
  'paper-review',
];

let world: ScriptedLlmWorld;
let config: LoadedConfig;

beforeAll(async () => {
  const papers = await new DomainRegistry()
    .get('paper-review')
    .loadTasks({ seed: numericSeed('ablation-1'), sizes: SIZES, dataDir: DATA_DIR });
  const keys = Object.values(papers.splits)
    .flat()
    .map((t) => [(t.input as { title: string }).title, papers.labels.get(t.id) as string] as const);
  world = await startScriptedLlmWorld({
    seed: 'paper-protocol-test',
    oracle: (domain, prompt) => {
      if (domain !== 'paper-review') return undefined;
      const hit = keys.find(([title]) => prompt.includes(`Title: ${title}\n`));
      return hit && `Decision: ${hit[1]}`;
    },
  });
  const base = loadConfig({ env: { ...process.env, HYPERAGENTS_CONFIG: '' } });
  const llm = world.llmConfig();
  config = {
    ...base,
    llm: { ...base.llm, ...llm, prices: { [llm.metaModel]: PRICE, [llm.taskModel]: PRICE } },
    run: {
      budget: { usd: CAP_USD },
      domainSplitSizes: { 'paper-review': SIZES },
      stagedSampleSize: 3,
    },
  };
}, 120_000);
afterAll(async () => {
  await world?.stop();
});

test('the scripted model through the gateway: the dry run plans what the protocol starts, and the spend stays under the cap', async () => {
  const dryLines: string[] = [];
  const dry = await paperProtocol(config, [...ARGS, '--dry-run'], (l) => dryLines.push(l));
  expect(world.counts().total).toBe(0); // a dry run calls nothing
  expect(dry.runs).toBeUndefined();
  expect(dry.plan.map((p) => p.key)).toEqual([
    'dgm-h/ablation-1',
    'transfer-source/ablation-1',
    'transfer-evolved/ablation-1',
    'transfer-initial/ablation-1',
  ]);
  expect(dryLines.join('\n')).toContain(`${dry.plan.length} planned runs`);
  expect(dry.estimate.metaCalls).toBeGreaterThan(0);
  expect(dry.estimate.usd).toBeGreaterThan(0);

  const lines: string[] = [];
  const done = await paperProtocol(config, ARGS, (l) => lines.push(l));
  // Every planned run was started and ran to its end, in the planned order.
  expect(done.runs!.map((r) => [r.planned.key, r.error])).toEqual(dry.plan.map((p) => [p.key, undefined]));
  expect(new Set(done.runs!.map((r) => r.outcome!.runId)).size).toBe(dry.plan.length);
  // The transfer runs started from the source run's nodes, with the task agent reset.
  const source = done.runs![1]!.outcome!;
  expect(done.runs![2]!.outcome!.config.start).toEqual({
    run: source.runId,
    node: source.status.bestNodeId,
    reset: 'task',
  });
  expect(done.runs![3]!.outcome!.config.start).toEqual({
    run: source.runId,
    node: 'gen-00000',
    reset: 'task',
  });

  // Through the gateway: the scripted model answered task and meta calls, and the runs paid for them.
  const calls = (byOutcome: Record<string, number>) => Object.values(byOutcome).reduce((a, b) => a + b, 0);
  const taskCalls = calls(world.counts().byRole.task);
  const metaCalls = calls(world.counts().byRole.meta);
  expect(taskCalls).toBeGreaterThan(0);
  expect(metaCalls).toBeGreaterThan(0);
  expect(done.spentUsd!).toBeGreaterThan(0);
  expect(done.spentUsd!).toBeLessThanOrEqual(CAP_USD);
  for (const r of done.runs!) {
    expect(r.outcome!.config.budget.usd).toBeCloseTo(CAP_USD / dry.plan.length, 12);
    expect(r.outcome!.status.spentUsd).toBeLessThanOrEqual(CAP_USD / dry.plan.length);
  }
  // The estimate bounds the calls made (no faults, so no retries).
  expect(metaCalls).toBeLessThanOrEqual(dry.estimate.metaCalls);
  expect(taskCalls).toBeLessThanOrEqual(dry.estimate.taskCalls);

  const text = lines.join('\n');
  expect(text).toContain(`what ${world.llmConfig().taskModel} (tasks)`);
  expect(text).toContain('| dgm-h | paper-review |');
  expect(text).toContain(`runs started: ${dry.plan.length} of ${dry.plan.length}`);
}, 900_000);
