/**
 * The ablation table of the Hyperagents paper, offline unless an LLM is configured: the methods
 * (default DGM-H, no-self-improve (frozen meta agent), no-open-ended, DGM) over S seeds each at the
 * same budget (default 5 seeds, 12 generations), one run per method and seed over the domains
 * (default reward-design, paper-review, math-grading), and the initial agent (generation 0, no
 * evolution: the start node of the first method's runs). Prints per method and domain the median
 * held-out test score of the run's best node with its spread (min … max over seeds), and the best
 * full validation score of any node of the run (median and spread).
 *
 * Transfer (unless `--no-transfer`): per seed, a DGM-H run on the source domains (default
 * paper-review, reward-design); then, frozen (no-self-improve), a run on the target domains (default
 * math-grading) from that run's best node with the task agent reset (the evolved meta agent), and
 * one from its start node with the task agent reset (the initial meta agent); imp@k of each.
 *
 * Writes a plot (SVG): per domain, the best-so-far validation score by generation, median over
 * seeds, one line per method. Needs the stack up and the data (`HYPERAGENTS_DATA_DIR`). After a build:
 * `node dist/bench/ablation.js [--seeds 5] [--generations 12] [--methods dgm-h,no-self-improve,...]
 * [--domains a,b] [--transfer-from a,b] [--transfer-to c] [--no-transfer] [--split-sizes 100,100,100]
 * [--out bench/out/ablation-<date>.svg] [--checkpoint <folder>]`. With `--checkpoint`, each finished
 * run is kept in the folder and a second start with the same options runs only the rest (the 35
 * runs of the default take about 2.5 h on 2 cores).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadConfig, type LoadedConfig } from '../src/config';
import { parseRunConfig, type Method } from '../src/engine';
import { scoreOverGenerationsSpec, type CurvePoint, type VegaLiteSpec } from '../src/report/charts';
import { bestSoFar, fmtSpread, medianCurve, spread } from '../src/report/stats';
import { METHODS } from '../src/selection/policies';
import { BenchDriver, benchRunId, bestVal, fullVal, RunCheckpoint, startNode, type RunOutcome } from './runs';

export type Role = 'method' | 'transfer-source' | 'transfer-evolved' | 'transfer-initial';

/** One run the ablation starts; a transfer run starts from a node of an earlier run (`start.from`). */
export interface PlannedRun {
  key: string;
  role: Role;
  method: Method;
  seed: string;
  domains: string[];
  start?: { from: string; node: 'best' | 'start'; reset: 'task' };
}

export interface AblationOptions {
  methods: Method[];
  domains: string[];
  seeds: number;
  generations: number;
  transfer?: { from: string[]; to: string[] };
  splitSizes?: { train: number; val: number; test: number };
}

export const DEFAULT_METHODS: Method[] = ['dgm-h', 'no-self-improve', 'no-open-ended', 'dgm'];
export const DEFAULT_DOMAINS = ['reward-design', 'paper-review', 'math-grading'];
export const DEFAULT_TRANSFER = { from: ['paper-review', 'reward-design'], to: ['math-grading'] };
export const INITIAL_AGENT = 'initial agent';

/** The options shared by the ablation and the paper protocol, from command-line arguments. */
export const ABLATION_ARGS = {
  seeds: { type: 'string', default: '5' },
  generations: { type: 'string', default: '12' },
  methods: { type: 'string', default: DEFAULT_METHODS.join(',') },
  domains: { type: 'string', default: DEFAULT_DOMAINS.join(',') },
  'transfer-from': { type: 'string', default: DEFAULT_TRANSFER.from.join(',') },
  'transfer-to': { type: 'string', default: DEFAULT_TRANSFER.to.join(',') },
  'no-transfer': { type: 'boolean', default: false },
  'split-sizes': { type: 'string' },
  out: { type: 'string' },
  checkpoint: { type: 'string' },
} as const;

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function ablationOptions(values: {
  seeds: string;
  generations: string;
  methods: string;
  domains: string;
  'transfer-from': string;
  'transfer-to': string;
  'no-transfer': boolean;
  'split-sizes'?: string;
}): AblationOptions {
  const methods = list(values.methods);
  for (const m of methods)
    if (!(METHODS as readonly string[]).includes(m))
      throw new Error(`unknown method '${m}' (known: ${METHODS.join(', ')})`);
  const seeds = Number(values.seeds);
  const generations = Number(values.generations);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer`);
  if (!Number.isInteger(generations) || generations < 1)
    throw new Error(`--generations must be a positive integer`);
  let splitSizes: AblationOptions['splitSizes'];
  if (values['split-sizes']) {
    const [train, val, test] = list(values['split-sizes']).map(Number);
    if (![train, val, test].every((x) => Number.isInteger(x) && x! >= 1))
      throw new Error('--split-sizes is train,val,test (positive integers)');
    splitSizes = { train: train!, val: val!, test: test! };
  }
  return {
    methods: methods as Method[],
    domains: list(values.domains),
    seeds,
    generations,
    transfer: values['no-transfer']
      ? undefined
      : { from: list(values['transfer-from']), to: list(values['transfer-to']) },
    splitSizes,
  };
}

/** Every run the ablation starts, in order (a transfer source before the runs that start from it). */
export function planAblation(o: AblationOptions): PlannedRun[] {
  const plan: PlannedRun[] = [];
  for (let i = 1; i <= o.seeds; i++) {
    const seed = `ablation-${i}`;
    for (const method of o.methods)
      plan.push({ key: `${method}/${seed}`, role: 'method', method, seed, domains: o.domains });
    if (o.transfer) {
      const from = `transfer-source/${seed}`;
      plan.push({ key: from, role: 'transfer-source', method: 'dgm-h', seed, domains: o.transfer.from });
      for (const [role, node] of [
        ['transfer-evolved', 'best'],
        ['transfer-initial', 'start'],
      ] as const)
        plan.push({
          key: `${role}/${seed}`,
          role,
          method: 'no-self-improve',
          seed,
          domains: o.transfer.to,
          start: { from, node, reset: 'task' },
        });
    }
  }
  return plan;
}

/** The run section for a planned run: the configured one with the plan's method, domains, seed and budget. */
export function runSectionFor(
  p: PlannedRun,
  base: Record<string, unknown>,
  o: AblationOptions,
  extra: { usd?: number; startNode?: { run: string; node: string } } = {},
): Record<string, unknown> {
  const budget = { ...(base.budget as object | undefined), generations: o.generations };
  return {
    ...base,
    method: p.method,
    domains: p.domains,
    seed: p.seed,
    budget: extra.usd === undefined ? budget : { ...budget, usd: extra.usd },
    testAtEnd: true,
    ...(o.splitSizes ? { splitSizes: o.splitSizes } : {}),
    ...(extra.startNode ? { start: { ...extra.startNode, reset: p.start!.reset } } : {}),
  };
}

export interface AblationRun {
  planned: PlannedRun;
  outcome?: RunOutcome;
  error?: string;
}

/**
 * Runs the plan one run at a time through `driver`. A run that fails is recorded with its error
 * (and the runs that start from it are skipped); the others go on.
 */
export async function runAblation(
  driver: Pick<BenchDriver, 'run'>,
  plan: readonly PlannedRun[],
  base: Record<string, unknown>,
  o: AblationOptions,
  opts: {
    prefix: string;
    usdPerRun?: number;
    log?: (line: string) => void;
    checkpoint?: Pick<RunCheckpoint, 'load' | 'save'>;
  },
): Promise<AblationRun[]> {
  const log = opts.log ?? (() => {});
  const done = new Map<string, AblationRun>();
  for (const p of plan) {
    const kept = opts.checkpoint?.load(p.key);
    if (kept) {
      log(`${p.key}: kept from the checkpoint (${kept.runId})`);
      done.set(p.key, { planned: p, outcome: kept });
      continue;
    }
    let startAt: { run: string; node: string } | undefined;
    if (p.start) {
      const from = done.get(p.start.from)?.outcome;
      const node = from && (p.start.node === 'best' ? from.status.bestNodeId : startNode(from.nodes)?.nodeId);
      if (!from || !node) {
        done.set(p.key, { planned: p, error: `no ${p.start.node} node in ${p.start.from}` });
        log(`${p.key}: skipped (no ${p.start.node} node in ${p.start.from})`);
        continue;
      }
      startAt = { run: from.runId, node };
    }
    try {
      const config = parseRunConfig(runSectionFor(p, base, o, { usd: opts.usdPerRun, startNode: startAt }));
      const runId = benchRunId(opts.prefix, p.key.replace('/', '-'));
      const outcome = await driver.run(runId, config, log);
      opts.checkpoint?.save(p.key, outcome);
      done.set(p.key, { planned: p, outcome });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      log(`${p.key}: failed: ${error}`);
      done.set(p.key, { planned: p, error });
    }
  }
  return plan.map((p) => done.get(p.key)!);
}

const outcomesOf = (runs: readonly AblationRun[], pick: (p: PlannedRun) => boolean) =>
  runs.filter((r) => pick(r.planned) && r.outcome).map((r) => r.outcome!);

/** The method table and, when transfer runs were planned, the transfer table, as markdown lines. */
export function ablationTables(runs: readonly AblationRun[], o: AblationOptions): string[] {
  const lines: string[] = [];
  lines.push(
    `| method | domain | held-out test: median (min … max) | best validation: median (min … max) | runs |`,
  );
  lines.push('|---|---|---|---|---|');
  const initialFrom = o.methods.includes('dgm-h') ? 'dgm-h' : o.methods[0];
  const rows: Array<{ name: string; runs: RunOutcome[]; initial: boolean }> = [
    {
      name: INITIAL_AGENT,
      runs: outcomesOf(runs, (p) => p.role === 'method' && p.method === initialFrom),
      initial: true,
    },
    ...o.methods.map((m) => ({
      name: m,
      runs: outcomesOf(runs, (p) => p.role === 'method' && p.method === m),
      initial: false,
    })),
  ];
  for (const d of o.domains)
    for (const row of rows) {
      const test = row.runs.map((r) => (row.initial ? r.status.test?.start[d] : r.status.test?.best[d]));
      const val = row.runs.map((r) => {
        const start = startNode(r.nodes);
        return row.initial ? start && fullVal(start, d) : bestVal(r.nodes, d);
      });
      lines.push(
        `| ${row.name} | ${d} | ${fmtSpread(spread(test))} | ${fmtSpread(spread(val))} | ${row.runs.length} |`,
      );
    }
  lines.push('');
  lines.push(
    `Test: the held-out test score of the run's best node (of the start node for the ${INITIAL_AGENT}, ` +
      `generation 0 of the ${initialFrom} runs). Validation: the best full validation score of any node ` +
      `of the run (the start node's for the ${INITIAL_AGENT}). Spread over seeds.`,
  );
  const failed = runs.filter((r) => r.error);
  if (o.transfer) {
    lines.push('');
    lines.push(
      `| transfer to ${o.transfer.to.join(', ')} (frozen, task agent reset) | imp@k: median (min … max) | ` +
        `test of start (mean over domains) | test of best (mean over domains) | runs |`,
    );
    lines.push('|---|---|---|---|---|');
    const mean = (r: Record<string, number> | undefined) => {
      const xs = Object.values(r ?? {});
      return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
    };
    for (const [role, name] of [
      ['transfer-evolved', `meta agent evolved by DGM-H on ${o.transfer.from.join(' + ')}`],
      ['transfer-initial', 'initial meta agent'],
    ] as const) {
      const rs = outcomesOf(runs, (p) => p.role === role);
      lines.push(
        `| ${name} | ${fmtSpread(spread(rs.map((r) => r.status.test?.impAtK)), true)} | ` +
          `${fmtSpread(spread(rs.map((r) => mean(r.status.test?.start))))} | ` +
          `${fmtSpread(spread(rs.map((r) => mean(r.status.test?.best))))} | ${rs.length} |`,
      );
    }
  }
  if (failed.length > 0) {
    lines.push('');
    for (const r of failed) lines.push(`failed: ${r.planned.key}: ${r.error}`);
  }
  return lines;
}

/** Per method and domain, the median over seeds of the best-so-far full validation score by generation. */
export function ablationCurves(runs: readonly AblationRun[], o: AblationOptions): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const method of o.methods)
    for (const domain of o.domains) {
      const curves = outcomesOf(runs, (p) => p.role === 'method' && p.method === method).map((r) =>
        bestSoFar(
          r.nodes.map((n) => ({ generation: n.generation, score: fullVal(n, domain) })),
          o.generations,
        ),
      );
      medianCurve(curves).forEach((score, generation) => {
        if (score !== undefined) points.push({ method, domain, generation, score });
      });
    }
  return points;
}

export function ablationChart(runs: readonly AblationRun[], o: AblationOptions, title: string): VegaLiteSpec {
  return scoreOverGenerationsSpec(ablationCurves(runs, o), {
    title,
    yTitle: 'best-so-far validation score (median over seeds)',
  });
}

/** Renders the spec to SVG (vega + vega-lite, headless) and writes it to `file`. */
export async function writeSvg(spec: VegaLiteSpec, file: string): Promise<void> {
  const { renderSvg } = await import('./svg');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await renderSvg(spec));
}

export const defaultOut = (name: string) =>
  path.join('bench', 'out', `${name}-${new Date().toISOString().slice(0, 10)}.svg`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: ABLATION_ARGS });
  const o = ablationOptions(values);
  const c: LoadedConfig = loadConfig();
  const plan = planAblation(o);
  const base: Record<string, unknown> = { ...(c.run ?? {}) };
  const log = (l: string) => process.stderr.write(`${l}\n`);
  log(`ablation: ${plan.length} runs (${o.seeds} seeds × ${o.generations} generations)`);
  const checkpoint = values.checkpoint ? RunCheckpoint.open(values.checkpoint, { o, base }) : undefined;
  const driver = await BenchDriver.open(c);
  let runs: AblationRun[];
  try {
    runs = await runAblation(driver, plan, base, o, { prefix: 'bench-ablation', log, checkpoint });
  } finally {
    await driver.close();
  }
  const mode = c.llm.baseUrl ? `LLM ${c.llm.taskModel}/${c.llm.metaModel}` : 'offline (no LLM)';
  console.log(`Ablation, ${mode}: ${o.seeds} seed(s), ${o.generations} generations, ${o.domains.join(', ')}`);
  console.log('');
  for (const l of ablationTables(runs, o)) console.log(l);
  const out = values.out ?? defaultOut('ablation');
  await writeSvg(ablationChart(runs, o, `Ablation, ${mode}: ${o.seeds} seed(s)`), out);
  console.log('');
  console.log(`plot: ${out}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
