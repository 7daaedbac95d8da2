/**
 * The seed meta agent's offline learner (no LLM) on the real data: for paper review and math grading,
 * the seed task agent (generation 0, its heuristic) against one learner generation fitted on the
 * train split, scored on train and val. Prints a Markdown table.
 *
 * Run after a build: `node dist/bench/offline-learner.js` (HYPERAGENTS_DATA_DIR set); with
 * `--curve paper-review [--train-sizes 50,100,200,400] [--splits 10]`, the learning curve instead. Splits are an
 * evolution run's: the default run config's seed and sizes. The program runs through the local
 * harness (run_meta.mjs, run_tasks.mjs in a temp folder, no sandbox, no LLM); the meta agent is given
 * the engine's workspace with the train examples only (inputs, the seed's predictions, labels,
 * scores); val labels are used only here, on the host, to score. Rows: the learner with the seed's
 * own settings (meta/params.json `learner`, forced to learn, no self-adaptation step), then the seed's
 * meta agent as a generation runs it (its settings self-adapt first), one row per rng seed.
 */
import { spawnSync } from 'child_process';
import { parseArgs } from 'util';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sandboxFiles, seedProgram } from '../src/agent/layout';
import { workspaceFiles, type TrainExamples } from '../src/agent/workspace';
import type { TrainHistory } from '../src/archive/views';
import { agentView, type Domain, type Task } from '../src/domains/contract';
import { mathGradingDomain } from '../src/domains/math-grading';
import { paperReviewDomain } from '../src/domains/paper-review';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';
import { fmtSpread, spread } from '../src/report/stats';

const DOMAINS = [paperReviewDomain, mathGradingDomain] as unknown as Domain[];
const IMPROVE_SEEDS = [1, 2, 3];

/** The seed program beside the harness in a temp folder, as the sandbox lays them out. */
async function layOut(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-learner-'));
  for (const [p, content] of Object.entries(sandboxFiles(await seedProgram()))) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  return root;
}

/** Runs a harness script on the layout's program (no LLM: the offline paths), JSON lines out. */
function harness(root: string, script: string, input: unknown): unknown[] {
  const out = spawnSync(process.execPath, [path.join(root, 'harness', script), path.join(root, 'program')], {
    cwd: root,
    input: JSON.stringify(input),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`${script} failed (${out.status}): ${out.stdout}${out.stderr}`);
  return out.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

async function scoreOn(
  domain: Domain,
  root: string,
  tasks: readonly Task<unknown>[],
  labels: ReadonlyMap<string, unknown>,
): Promise<{
  mean: number;
  perTask: Array<{ id: string; input: unknown; prediction: unknown; score: number }>;
}> {
  const views = tasks.map((t) => agentView(t));
  const lines = harness(root, 'run_tasks.mjs', {
    domain: domain.name,
    describe: domain.describe(),
    perTaskTimeoutMs: 30_000,
    tasks: views,
  }).slice(0, -1) as Array<{ id: string; prediction?: unknown }>;
  const perTask = [];
  for (const [i, view] of views.entries()) {
    const prediction = lines[i]?.id === view.id ? lines[i]?.prediction : undefined;
    const { score } = await domain.score(prediction, labels.get(view.id), { taskId: view.id });
    perTask.push({ id: view.id, input: view.input, prediction, score });
  }
  return { mean: perTask.reduce((a, t) => a + t.score, 0) / Math.max(1, perTask.length), perTask };
}

/** The workspace the engine writes for a meta-agent session: train examples only. */
function writeWorkspace(
  program: string,
  domain: Domain,
  train: Array<{ id: string; input: unknown; prediction: unknown; score: number }>,
  labels: ReadonlyMap<string, unknown>,
): void {
  const examples: TrainExamples = {
    domain: domain.name,
    describe: domain.describe(),
    split: 'train',
    node: 'gen-00000',
    comparison: domain.expectedPrediction ? 'exact' : null,
    examples: train.map((t) => {
      const label = labels.get(t.id);
      return {
        ...t,
        label,
        ...(domain.expectedPrediction ? { expected: domain.expectedPrediction(label) } : {}),
      };
    }),
  };
  const summary = { nodeId: 'gen-00000', lineage: ['gen-00000'], nodes: [] } as unknown as TrainHistory;
  for (const [p, content] of Object.entries(workspaceFiles(summary, [examples]))) {
    fs.mkdirSync(path.dirname(path.join(program, p)), { recursive: true });
    fs.writeFileSync(path.join(program, p), content);
  }
}

/**
 * A copy of the seed after one meta-agent turn on `train` (the seed's scored train tasks): with
 * `force`, the learner with the seed's settings exactly (always learns, no self-adaptation step);
 * otherwise improve() as a generation runs it. Returns the layout (the caller removes it).
 */
async function learnedProgram(
  domain: Domain,
  train: Array<{ id: string; input: unknown; prediction: unknown; score: number }>,
  labels: ReadonlyMap<string, unknown>,
  v: { seed: number; force: boolean },
): Promise<{ root: string; ms: number; cv?: number; summary?: string }> {
  const name = domain.name;
  const root = await layOut();
  const program = path.join(root, 'program');
  writeWorkspace(program, domain, train, labels);
  if (v.force) {
    const metaFile = path.join(program, 'meta', 'params.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as {
      tau: number;
      choiceRate: number;
      learner: { rate: number; mutationRate: number; rateBounds: number[] };
    };
    meta.tau = 0;
    meta.choiceRate = 0;
    meta.learner.rate = 1;
    meta.learner.rateBounds = [0, 1];
    meta.learner.mutationRate = 0;
    fs.writeFileSync(metaFile, JSON.stringify(meta));
  }
  const started = Date.now();
  const [report] = harness(root, 'run_meta.mjs', {
    history: [],
    generationsLeft: 1,
    seed: v.seed,
    domains: [name],
    limits: { maxTurns: 0, timeLimitMs: 120_000 },
  }) as Array<{ summary: string }>;
  const ms = Date.now() - started;
  // The engine strips the workspace from the child.
  fs.rmSync(path.join(program, 'workspace'), { recursive: true, force: true });
  const modelFile = path.join(program, 'task', 'models', `${name}.json`);
  const cv = fs.existsSync(modelFile)
    ? (JSON.parse(fs.readFileSync(modelFile, 'utf8')) as { fit: { cvAccuracy: number } }).fit.cvAccuracy
    : undefined;
  return { root, ms, cv, summary: report?.summary };
}

const fmt = (x: number) => x.toFixed(3);

/**
 * The learning curve: how much a model fitted by the learner (the seed's settings) gains over the
 * seed's heuristic on a held-out split of 100 tasks, per train size, over `splits` random draws of
 * the data (split seeds 1..splits). Shows whether a domain's train split carries enough signal.
 */
async function curve(domain: Domain, trainSizes: number[], splits: number): Promise<void> {
  const rows: string[] = [];
  for (const n of trainSizes) {
    const seedTest: number[] = [];
    const learnedTest: number[] = [];
    for (let s = 1; s <= splits; s++) {
      const loaded = await domain.loadTasks({
        seed: s,
        sizes: { train: n, val: 100, test: 100 },
        dataDir: process.env.HYPERAGENTS_DATA_DIR,
      });
      const { train, test } = loaded.splits;
      const seedRoot = await layOut();
      const seedTrain = await scoreOn(domain, seedRoot, train, loaded.labels);
      seedTest.push((await scoreOn(domain, seedRoot, test, loaded.labels)).mean);
      fs.rmSync(seedRoot, { recursive: true, force: true });
      const { root } = await learnedProgram(domain, seedTrain.perTask, loaded.labels, {
        seed: 0,
        force: true,
      });
      learnedTest.push((await scoreOn(domain, root, test, loaded.labels)).mean);
      fs.rmSync(root, { recursive: true, force: true });
      process.stderr.write(
        `${domain.name} train ${n} split ${s}: seed ${seedTest.at(-1)} learned ${learnedTest.at(-1)}\n`,
      );
    }
    const gain = learnedTest.map((x, i) => x - seedTest[i]!);
    rows.push(
      `| ${n} | ${fmtSpread(spread(seedTest))} | ${fmtSpread(spread(learnedTest))} | ${fmtSpread(spread(gain), true)} |`,
    );
  }
  process.stdout.write(
    [
      `${domain.name}: the learner (the seed's settings) vs the seed's heuristic on 100 held-out tasks, ` +
        `${splits} random splits per train size; median (min … max).`,
      '',
      '| train tasks | seed test | learned test | gain |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      curve: { type: 'string' },
      'train-sizes': { type: 'string', default: '50,100,200,400' },
      splits: { type: 'string', default: '10' },
    },
  });
  if (values.curve) {
    const domain = DOMAINS.find((d) => d.name === values.curve);
    if (!domain) throw new Error(`--curve: one of ${DOMAINS.map((d) => d.name).join(', ')}`);
    const sizes = values['train-sizes'].split(',').map(Number);
    return curve(domain, sizes, Number(values.splits));
  }
  const run = parseRunConfig({});
  const rows: string[] = [];
  for (const domain of DOMAINS) {
    const name = domain.name;
    const loaded = await domain.loadTasks({
      seed: numericSeed(run.seed),
      sizes: sizesFor(run, name),
      dataDir: process.env.HYPERAGENTS_DATA_DIR,
    });
    const { train, val } = loaded.splits;
    const seedRoot = await layOut();
    const seedTrain = await scoreOn(domain, seedRoot, train, loaded.labels);
    const seedVal = await scoreOn(domain, seedRoot, val, loaded.labels);
    fs.rmSync(seedRoot, { recursive: true, force: true });
    rows.push(
      `| ${name} | seed (gen 0, heuristic) | ${train.length} | ${fmt(seedTrain.mean)} | ${fmt(seedVal.mean)} | — | — |`,
    );

    const variants: Array<{ label: string; seed: number; force: boolean }> = [
      { label: "learner, the seed's settings", seed: 0, force: true },
      ...IMPROVE_SEEDS.map((s) => ({ label: `improve(), rng seed ${s}`, seed: s, force: false })),
    ];
    for (const v of variants) {
      const { root, ms, cv, summary } = await learnedProgram(domain, seedTrain.perTask, loaded.labels, v);
      const trainScore = await scoreOn(domain, root, train, loaded.labels);
      const valScore = await scoreOn(domain, root, val, loaded.labels);
      rows.push(
        `| ${name} | ${v.label}${cv === undefined ? ' (parameter mutation, no learner)' : ''} | ${train.length} | ` +
          `${fmt(trainScore.mean)} | ${fmt(valScore.mean)} | ${cv === undefined ? '—' : fmt(cv)} | ${ms} |`,
      );
      process.stderr.write(`${name} ${v.label}: ${summary}\n`);
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    [
      `Offline learner (no LLM) vs the seed, run seed ${run.seed}; train/val: accuracy (the domains' score).`,
      '',
      '| domain | program | train tasks | train | val | internal CV (train only) | meta turn ms (run_meta.mjs) |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
