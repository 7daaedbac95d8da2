/**
 * The seed meta agent's offline reward learner (meta/learn/reward_design.mjs, no LLM) against the
 * seed's reward-design weights, scored by the host's own evaluation (evaluateReward: CEM training
 * with the reward, then the true objective on the task's evaluation episodes) on train, val and the
 * test split (the held-out environment, which the learner never sees).
 * Prints a Markdown table.
 *
 * Run after a build: `node dist/bench/reward-learner.js [--seeds 1,2,3] [--settings '{"candidates":8}']`.
 * Splits are an evolution run's: the default run config's seed and sizes. The learner is given the
 * engine's workspace (workspaceFiles) built from the train examples only, in a copy of the seed
 * program; val and test labels are used only here, on the host, to score. One learner row per rng seed, with
 * the seed's default search settings merged with --settings.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { workspaceFiles, type TrainExamples } from '../src/agent/workspace';
import type { TrainHistory } from '../src/archive/views';
import type { Task } from '../src/domains/contract';
import {
  createRewardDesignDomain,
  evaluateReward,
  type RewardDesignLabel,
  type RewardTaskInput,
} from '../src/domains/reward-design';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';
import { sourceOrBuilt } from '../src/host/assets';

type Weights = Record<string, unknown>;
type Writer = (input: RewardTaskInput, params: Weights) => string;
interface LearnResult {
  params?: Weights;
  skipped?: string;
  report?: { candidates: number; parentTrain: number; bestTrain: number; scoredAt: string; ms: number };
}

// The program is ES modules; this bench compiles to CommonJS, whose `import()` would become require().
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a native import() from CommonJS, as bench/svg.ts
const importEsm = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

const SEED_DIR = sourceOrBuilt('src/agent/seed');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A small seeded stream for the learner's rng (next() in [0, 1)). */
function stream(seed: number): { next: () => number } {
  let x = seed % 2147483647 || 1;
  return { next: () => (x = (x * 48271) % 2147483647) / 2147483647 };
}

function hostScore(
  tasks: readonly Task<RewardTaskInput>[],
  labels: ReadonlyMap<string, RewardDesignLabel>,
  source: (input: RewardTaskInput) => string,
): number {
  let sum = 0;
  for (const t of tasks) {
    const label = labels.get(t.id);
    if (!label) throw new Error(`no label for ${t.id}`);
    sum += evaluateReward(label.taskId, source(t.input), label.seed).score;
  }
  return sum / tasks.length;
}

async function main(): Promise<void> {
  const seeds = (arg('--seeds') ?? '1,2,3').split(',').map(Number);
  const settingsOverride = JSON.parse(arg('--settings') ?? '{}') as Record<string, unknown>;
  const run = parseRunConfig({});
  const loaded = await createRewardDesignDomain().loadTasks({
    seed: numericSeed(run.seed),
    sizes: sizesFor(run, 'reward-design'),
  });
  const { train, val, test } = loaded.splits;
  const { writeRewardSource } = (await importEsm(
    pathToFileURL(path.join(SEED_DIR, 'task', 'heuristics', 'reward_design.mjs')).href,
  )) as { writeRewardSource: Writer };
  const { learnRewardDesign, REWARD_LEARNER_DEFAULTS } = (await importEsm(
    pathToFileURL(path.join(SEED_DIR, 'meta', 'learn', 'reward_design.mjs')).href,
  )) as {
    learnRewardDesign: (args: unknown) => Promise<LearnResult>;
    REWARD_LEARNER_DEFAULTS: Record<string, unknown>;
  };
  const seedParams = (
    JSON.parse(fs.readFileSync(path.join(SEED_DIR, 'task', 'params.json'), 'utf8')) as {
      domains: Record<string, Weights>;
    }
  ).domains['reward-design'] as Weights;
  const settings = { ...REWARD_LEARNER_DEFAULTS, ...settingsOverride };

  // The seed's scores, and its train examples as the engine would give them to the meta agent.
  const seedTrain = hostScore(train, loaded.labels, (i) => writeRewardSource(i, seedParams));
  const seedVal = hostScore(val, loaded.labels, (i) => writeRewardSource(i, seedParams));
  const seedTest = hostScore(test, loaded.labels, (i) => writeRewardSource(i, seedParams));
  const examples: TrainExamples = {
    domain: 'reward-design',
    describe: 'reward design',
    split: 'train',
    node: 'gen-00000',
    comparison: null,
    examples: train.map((t) => ({
      id: t.id,
      input: t.input,
      prediction: writeRewardSource(t.input, seedParams),
      label: loaded.labels.get(t.id),
      score: 0,
    })),
  };
  const summary: TrainHistory = {
    nodeId: 'gen-00000',
    domains: ['reward-design'],
    lineage: ['gen-00000'],
    nodes: [],
  };
  const program = fs.mkdtempSync(path.join(os.tmpdir(), 'reward-learner-'));
  fs.cpSync(SEED_DIR, program, { recursive: true });
  const files = workspaceFiles(summary, [examples]);
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(program, p)), { recursive: true });
    fs.writeFileSync(path.join(program, p), text);
  }
  const workspace = JSON.parse(files['workspace/index.json'] ?? '{}') as unknown;

  const rows: string[] = [
    `| agent | train (host) | val (host) | held-out test (host) | learner train: parent → best | candidates | learner s |`,
    `| ----- | ------------ | ---------- | -------------------- | ---------------------------- | ---------- | --------- |`,
    `| seed (task/params.json) | ${seedTrain.toFixed(3)} | ${seedVal.toFixed(3)} | ${seedTest.toFixed(3)} | | | |`,
  ];
  for (const seed of seeds) {
    const out = await learnRewardDesign({
      repoDir: program,
      workspace,
      params: settings,
      rng: stream(seed),
      deadlineMs: Date.now() + 120_000,
    });
    if (!out.params || !out.report) throw new Error(`the learner skipped: ${out.skipped ?? '?'}`);
    const learned = out.params;
    const t = hostScore(train, loaded.labels, (i) => writeRewardSource(i, learned));
    const v = hostScore(val, loaded.labels, (i) => writeRewardSource(i, learned));
    const h = hostScore(test, loaded.labels, (i) => writeRewardSource(i, learned));
    const r = out.report;
    rows.push(
      `| learner, rng ${seed} | ${t.toFixed(3)} | ${v.toFixed(3)} | ${h.toFixed(3)} | ${r.parentTrain.toFixed(3)} → ${r.bestTrain.toFixed(3)} (${r.scoredAt}) | ${r.candidates} | ${(r.ms / 1000).toFixed(1)} |`,
    );
    process.stderr.write(`rng ${seed}: ${JSON.stringify(r)}\n`);
  }
  fs.rmSync(program, { recursive: true, force: true });
  console.log(
    `reward-design, ${train.length} train / ${val.length} val tasks; settings ${JSON.stringify(settings)}\n`,
  );
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
