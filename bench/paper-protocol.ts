/**
 * The ablation of bench/ablation.ts (the same plan, tables and plot) against the OpenAI-compatible
 * endpoint of the config's `llm` section, under a USD cap: `--usd` (required) is split evenly over
 * the planned runs, each run's `budget.usd`, which the engine's gateway enforces, so the whole
 * protocol spends at most the cap. `--dry-run` prints the planned runs, an estimate of the LLM calls
 * (per run: generations × the meta agent's turn limit, plus the tasks of every evaluation: the start
 * node and each generation's child on train and validation, two nodes on test) and the estimated
 * cost from the config's prices, and calls nothing. The estimate is an upper bound on calls (a meta
 * session may stop early; staged evaluation may skip the rest of a split) but token counts per call
 * are assumptions (META_CALL_TOKENS, TASK_CALL_TOKENS), not measurements.
 *
 * After a build: `node dist/bench/paper-protocol.js --usd 20 [--dry-run] [the ablation's options]`
 * (the plot is written only with `--out`). Needs the stack up and the data.
 */
import { parseArgs } from 'util';
import { loadConfig, type LoadedConfig } from '../src/config';
import { numericSeed, parseRunConfig, sizesFor } from '../src/engine';
import { domainCatalogFromConfig } from '../src/wiring/engineDeps';
import {
  ABLATION_ARGS,
  ablationChart,
  ablationOptions,
  ablationTables,
  planAblation,
  runAblation,
  runSectionFor,
  writeSvg,
  type AblationRun,
  type PlannedRun,
} from './ablation';
import { BenchDriver, RunCheckpoint } from './runs';

/** Assumed tokens of one meta-agent turn (the conversation grows with the tool results). */
export const META_CALL_TOKENS = { input: 8000, output: 1000 };
/** Assumed tokens of one task call (a paper, a proof and its grading guidelines, ...). */
export const TASK_CALL_TOKENS = { input: 2000, output: 400 };

export interface ProtocolEstimate {
  runs: number;
  metaCalls: number;
  taskCalls: number;
  usd: number;
}

export interface ProtocolResult {
  plan: PlannedRun[];
  estimate: ProtocolEstimate;
  capUsd: number;
  usdPerRun: number;
  /** Absent on a dry run. */
  runs?: AblationRun[];
  spentUsd?: number;
}

const price = (c: LoadedConfig, model: string, t: { input: number; output: number }) => {
  const p = c.llm.prices[model];
  if (!p)
    throw new Error(`no price for model '${model}' in llm.prices: the protocol's cost cannot be estimated`);
  return (t.input * p.inputUsdPerMTok + t.output * p.outputUsdPerMTok) / 1e6;
};

/** Planned LLM calls and their estimated cost, from the data's split sizes; calls nothing. */
export async function estimateProtocol(
  c: LoadedConfig,
  plan: readonly PlannedRun[],
  sections: ReadonlyArray<Record<string, unknown>>,
): Promise<ProtocolEstimate> {
  const catalog = await domainCatalogFromConfig(c);
  let metaCalls = 0;
  let taskCalls = 0;
  for (let i = 0; i < plan.length; i++) {
    const config = parseRunConfig(sections[i]);
    metaCalls += config.budget.generations * config.llm.maxTurns;
    for (const d of config.domains) {
      const tasks = await catalog.tasks(catalog.domain(d), numericSeed(config.seed), sizesFor(config, d));
      const evaluated = tasks.splits.train.length + tasks.splits.val.length;
      taskCalls += (config.budget.generations + 1) * evaluated + 2 * tasks.splits.test.length;
    }
  }
  const usd =
    metaCalls * price(c, c.llm.metaModel, META_CALL_TOKENS) +
    taskCalls * price(c, c.llm.taskModel, TASK_CALL_TOKENS);
  return { runs: plan.length, metaCalls, taskCalls, usd };
}

/** Runs (or, with `--dry-run`, plans) the protocol; `out` gets the printed lines. */
export async function paperProtocol(
  c: LoadedConfig,
  argv: string[],
  out: (line: string) => void,
  log: (line: string) => void = () => {},
): Promise<ProtocolResult> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ABLATION_ARGS, usd: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const capUsd = Number(values.usd);
  if (!values.usd || !(capUsd > 0))
    throw new Error('--usd <cap> is required: the most the whole protocol may spend');
  const o = ablationOptions(values);
  const plan = planAblation(o);
  const usdPerRun = capUsd / plan.length;
  const base: Record<string, unknown> = { ...(c.run ?? {}) };
  // A transfer run's start node is only known once its source ran: a placeholder sizes the plan.
  const sections = plan.map((p) =>
    runSectionFor(p, base, o, {
      usd: usdPerRun,
      startNode: p.start && { run: p.start.from, node: 'gen-00000' },
    }),
  );
  const estimate = await estimateProtocol(c, plan, sections);
  const endpoint = c.llm.baseUrl ?? '(no llm.baseUrl configured)';
  out(`Paper protocol against ${endpoint}: task model ${c.llm.taskModel}, meta model ${c.llm.metaModel}`);
  out(
    `${plan.length} planned runs (${o.seeds} seed(s) × ${o.methods.length} method(s)` +
      `${o.transfer ? ' + 3 transfer runs per seed' : ''}), ${o.generations} generations each, ` +
      `cap $${capUsd.toFixed(2)} ($${usdPerRun.toFixed(4)} per run)`,
  );
  if (values['dry-run']) {
    out('');
    out('| run | method | domains | starts from |');
    out('|---|---|---|---|');
    for (const p of plan)
      out(
        `| ${p.key} | ${p.method} | ${p.domains.join(', ')} | ${p.start ? `${p.start.node} node of ${p.start.from}, task agent reset` : 'seed'} |`,
      );
    out('');
    out(
      `estimate (upper bound on calls; tokens per call assumed ${META_CALL_TOKENS.input}+${META_CALL_TOKENS.output} ` +
        `per meta turn, ${TASK_CALL_TOKENS.input}+${TASK_CALL_TOKENS.output} per task call): ` +
        `${estimate.metaCalls} meta calls, ${estimate.taskCalls} task calls, ` +
        `${estimate.metaCalls + estimate.taskCalls} calls, ~$${estimate.usd.toFixed(2)}` +
        (estimate.usd > capUsd ? ` (over the cap: runs will stop when their share is spent)` : ''),
    );
    return { plan, estimate, capUsd, usdPerRun };
  }
  if (!c.llm.baseUrl)
    throw new Error('no LLM endpoint configured (llm.baseUrl): nothing to run the protocol against');
  const driver = await BenchDriver.open({
    ...c,
    run: { ...base, budget: { ...(base.budget as object), usd: usdPerRun } },
  });
  // The kept runs' spending is in their outcomes, so a resumed protocol still reports all of it.
  const checkpoint = values.checkpoint
    ? RunCheckpoint.open(values.checkpoint, { o, base, usdPerRun, llm: c.llm.baseUrl })
    : undefined;
  let runs: AblationRun[];
  try {
    runs = await runAblation(driver, plan, base, o, { prefix: 'bench-protocol', usdPerRun, log, checkpoint });
  } finally {
    await driver.close();
  }
  const spentUsd = runs.reduce((s, r) => s + (r.outcome?.status.spentUsd ?? 0), 0);
  out(
    `Scores below are what ${c.llm.taskModel} (tasks) and ${c.llm.metaModel} (meta agent) at ${endpoint} produced.`,
  );
  out('');
  for (const l of ablationTables(runs, o)) out(l);
  out('');
  out(
    `runs started: ${runs.filter((r) => r.outcome).length} of ${plan.length}; spent $${spentUsd.toFixed(4)} of $${capUsd.toFixed(2)}`,
  );
  if (values.out) {
    await writeSvg(
      ablationChart(runs, o, `Paper protocol (${c.llm.taskModel}/${c.llm.metaModel})`),
      values.out,
    );
    out(`plot: ${values.out}`);
  }
  return { plan, estimate, capUsd, usdPerRun, runs, spentUsd };
}

if (require.main === module) {
  paperProtocol(
    loadConfig(),
    process.argv.slice(2),
    (l) => console.log(l),
    (l) => process.stderr.write(`${l}\n`),
  )
    .then(() => undefined)
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    });
}
