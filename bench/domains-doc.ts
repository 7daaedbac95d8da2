/**
 * Writes docs/domains.md: per domain a description, the data source, the split sizes, and the
 * scores of the seed hyperagent (its offline path, run in the sandbox exactly as the engine runs it)
 * and of the hand-written baselines, on every split.
 *
 * Run with the stack up, after a build: `node dist/bench/domains-doc.js` (HYPERAGENTS_DATA_DIR set).
 * Splits use the run config's seed and sizes, so they are the splits an evolution run evaluates on.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as prettier from 'prettier';
import { SEED_DIR, seedProgram } from '../src/agent/layout';
import { sandboxUntrustedRunner } from '../src/agent/sandboxRunners';
import { mapLimit } from '../src/util/concurrency';
import { loadConfig } from '../src/config';
import { projectRoot } from '../src/host/assets';
import { SPLITS, type Domain, type LoadedTasks, type Metrics, type Split } from '../src/domains';
import { generateStubModule, type CodingTaskInput } from '../src/domains/coding';
import { mathGradingBaseline, type MathGradingInput } from '../src/domains/math-grading';
import { paperReviewBaseline, type PaperInput } from '../src/domains/paper-review';
import type { RewardTaskInput } from '../src/domains/reward-design';
import {
  evaluateProgram,
  numericSeed,
  parseRunConfig,
  sizesFor,
  type EngineDeps,
  type RunConfig,
} from '../src/engine';
import { engineDepsFromConfig } from '../src/wiring/engineDeps';

interface DomainDoc {
  name: string;
  description: string;
  source: string;
  baseline: { label: string; solve: (input: unknown) => unknown };
  /** A paragraph printed after the table: what the scores rest on, when the description cannot say it. */
  notes?: string;
}

const DOMAINS: DomainDoc[] = [
  {
    name: 'paper-review',
    description:
      'Predict whether a paper was accepted, from its title and abstract (`accept` | `reject`). ' +
      'Score: accuracy. Splits are balanced between the two classes.',
    source:
      'ICLR 2017-2018 titles, abstracts and decisions (`paper-review/iclr2017_2018_title_abstract_decision.jsonl`, ' +
      'mirror only); `--data` takes the generic CSV/JSONL format or a berenslab/iclr-dataset parquet file.',
    baseline: {
      label: '`paperReviewBaseline` (default params)',
      solve: (i) => paperReviewBaseline(i as PaperInput),
    },
  },
  {
    name: 'math-grading',
    description:
      'Grade an Olympiad proof against the reference solution and guidelines ' +
      '(`incorrect` | `partial` | `almost` | `correct`). Score: exact-match accuracy; also normalized MAE over points.',
    source:
      "IMO-GradingBench, the Hyperagents paper's 100/100/100 files (scasella/Proofgrade @ 1408a00, sha256-pinned, " +
      'downloadable); the splits are the files.',
    baseline: {
      label: '`mathGradingBaseline` (default params)',
      solve: (i) => mathGradingBaseline(i as MathGradingInput),
    },
  },
  {
    name: 'coding',
    description:
      'Write a JavaScript module for an Exercism exercise, given its description, function signatures and a few ' +
      'example cases. Score: fraction of hidden canonical cases passed (run in the sandbox); also the fraction solved.',
    source:
      'exercism/problem-specifications @ 03f8331 (canonical-data.json + description), pool: exercises of ' +
      "Aider's polyglot benchmark; local mirror. The pool's files are also pinned by sha256 for download " +
      '(`src/domains/coding/download-source.ts`).',
    baseline: {
      label: '`generateStubModule` (example lookup, first-example fallback)',
      solve: (i) => generateStubModule(i as CodingTaskInput),
    },
  },
  {
    name: 'reward-design',
    description:
      'Write a reward function for a classic-control task (Gymnasium dynamics, reimplemented); a policy is ' +
      "trained with it (seeded CEM, in the sandbox) and the host scores the policy on the task's true objective " +
      'in [0, 1], on evaluation episodes the sandbox never sees. Train/val: training environments; test: a ' +
      'held-out environment.',
    source: 'No data set: tasks are defined in `src/domains/reward-design/tasks.ts`.',
    baseline: {
      label: "the task's default (human-designed) reward",
      solve: (i) => (i as RewardTaskInput).defaultRewardSource,
    },
    notes:
      'What the reward can influence, and nothing else: the reward value of each training episode. The reward ' +
      'runs in one sandbox session with the trainer (`runner.ts`, `training.ts`); `node:vm` there is no boundary ' +
      '(a one-line escape reaches the real `process`), so the design assumes the reward owns that session: it can ' +
      'read all its inputs and print anything. The session therefore receives the task, the reward source and a ' +
      "_training_ seed, derived one-way (SHA-256) from the task's evaluation seed, which never leaves the host. The " +
      'host reads only `returns` (one finite number per training episode of every CEM iteration) from the output, ' +
      "replays CEM from them (`replayTraining`: no rollouts, CEM's candidates depend only on its seeded stream and " +
      "the fitness ranking) and scores the resulting policy on the evaluation seed's episodes (`scorePolicy`). " +
      'Forged output thus earns what a reward function returning the same values would earn; a malformed one, or ' +
      "a reported failure, scores 0. Residual: the evaluation seed is derived from the run's split seed, so it is " +
      "as secret as that seed (as every domain's split is): with the default split seed shown above, an agent that " +
      'knows this code can compute it; a run that must resist that sets its own split seed.',
  },
];

const fmt = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(3));
const others = (m: Metrics | Record<string, number>): string =>
  Object.entries(m)
    .filter(([k]) => k !== 'score')
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');

/** The hand-written baseline on one split: solved on the host, scored like any prediction. */
async function baselineMetrics(
  domain: Domain,
  loaded: LoadedTasks,
  split: Split,
  doc: DomainDoc,
  deps: EngineDeps,
): Promise<Metrics> {
  const runUntrusted = sandboxUntrustedRunner(deps.sandbox, deps.limits);
  const perTask = await mapLimit(loaded.splits[split], 2, async (t) =>
    domain.score(doc.baseline.solve(t.input), loaded.labels.get(t.id), { taskId: t.id, runUntrusted }),
  );
  return domain.aggregate(perTask);
}

async function section(doc: DomainDoc, deps: EngineDeps, run: RunConfig): Promise<string> {
  const domain = deps.domains.domain(doc.name);
  const loaded = await deps.domains.tasks(domain, numericSeed(run.seed), sizesFor(run, domain.name));
  const program = await seedProgram();
  const sizes = SPLITS.map((s) => `${s} ${loaded.splits[s].length}`).join(', ');
  const rows: string[] = [];
  let sameAsBaseline = true;
  for (const split of SPLITS) {
    if (loaded.splits[split].length === 0) continue;
    process.stderr.write(`${doc.name}/${split}: seed agent\n`);
    const seed = await evaluateProgram(
      deps,
      { program, programPath: SEED_DIR, domain: doc.name, split },
      { run },
    );
    process.stderr.write(`${doc.name}/${split}: baseline\n`);
    const base = await baselineMetrics(domain, loaded, split, doc, deps);
    sameAsBaseline &&= Math.abs(seed.score - base.score) < 1e-12;
    rows.push(
      `| ${split} | ${fmt(seed.score)} | ${others(seed.metrics)} | ${fmt(base.score)} | ${others(base)} |`,
    );
  }
  return [
    `## ${doc.name}`,
    '',
    doc.description,
    '',
    `- Data: ${doc.source}`,
    `- Splits: ${sizes} tasks.`,
    `- Baseline: ${doc.baseline.label}.`,
    '',
    '| split | seed agent | seed: other metrics | baseline | baseline: other metrics |',
    '|---|---|---|---|---|',
    ...rows,
    ...(sameAsBaseline
      ? [
          '',
          "At generation 0 the seed's offline path is the baseline heuristic with the same parameters, so the " +
            'scores agree; evolution changes `task/params.json` and the code from there.',
        ]
      : []),
    ...(doc.notes ? ['', doc.notes] : []),
  ].join('\n');
}

const HAND_WRITTEN = /<!-- hand-written: ([\w-]+) -->[\s\S]*?<!-- end hand-written -->/g;

/**
 * The hand-written blocks of the current file by domain (`<!-- hand-written: <domain> -->` …
 * `<!-- end hand-written -->`, e.g. bench/coding-search.ts's table): kept at the end of that
 * domain's section when the file is generated again.
 */
function handWritten(target: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  const text = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  for (const m of text.matchAll(HAND_WRITTEN)) blocks.set(m[1]!, [...(blocks.get(m[1]!) ?? []), m[0]]);
  return blocks;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const run = parseRunConfig(config.run ?? {});
  const deps = await engineDepsFromConfig(config);
  const kept = handWritten(path.join(projectRoot, 'docs', 'domains.md'));
  const sections: string[] = [];
  for (const doc of DOMAINS) {
    sections.push([await section(doc, deps, run), ...(kept.get(doc.name) ?? [])].join('\n\n'));
  }
  const text = [
    '# Domains: initial and baseline scores',
    '',
    '<!-- Generated by bench/domains-doc.ts (`node dist/bench/domains-doc.js`); do not edit by hand, except ' +
      'inside the hand-written blocks it keeps (between `hand-written: <domain>` and `end hand-written`). -->',
    '',
    `Scores per split, in [0, 1], with the run config's split seed \`${run.seed}\` ` +
      `(numeric ${numericSeed(run.seed)}) and default split sizes.`,
    '',
    '- **seed agent**: the seed hyperagent (`src/agent/seed`, generation 0) on its offline path (no LLM: the ' +
      'parameterised heuristics of `task/params.json`), run in the sandbox as the engine runs it, full split (no staging).',
    '- **baseline**: the hand-written heuristic of the domain, solved on the host and scored the same way.',
    '',
    'Evaluate any program the same way: `hyperagents eval <program-dir> --domain <name> [--split ...]`.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  const target = path.join(projectRoot, 'docs', 'domains.md');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Formatted as the repository formats Markdown, so the committed file passes `prettier --check`.
  const options = (await prettier.resolveConfig(target)) ?? {};
  fs.writeFileSync(target, await prettier.format(text, { ...options, filepath: target }));
  console.log(`wrote ${target}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
