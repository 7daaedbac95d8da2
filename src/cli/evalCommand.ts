import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { readProgramDir, type ProgramFiles } from '../agent/program';
import { SPLITS, type Domain, type LoadedTasks, type Split, type Task } from '../domains';
import { numericSeed, parseRunConfig, sizesFor } from '../engine';
import {
  evaluateSplit,
  sandboxBatchRunner,
  sandboxUntrustedRunner,
  type BatchRunner,
  type SplitReport,
} from '../evaluation';
import { openGatewaySession } from '../llm';
import type { Sandbox, SandboxLimits } from '../sandbox';
import { sandboxFor } from '../devstack';
import { makeS3Client, S3ObjectStore } from '../storage';
import { domainAccess } from '../../temporal/worker';
import type { LoadedConfig } from '../config';
import type { CliContext } from './context';
import { fmt, table } from './format';

/** Tasks per sandbox session: small enough to show progress, large enough to amortise a container start. */
const CHUNK = 20;
const PREDICTION_WIDTH = 60;
/**
 * Built-in domains whose loader ignores `LoadOptions.dataFile` (the contract has no flag for it):
 * refusing `--data` beats silently evaluating on the configured data instead.
 */
const NO_GENERIC_FORMAT: Readonly<Record<string, string>> = {
  coding: "it reads Exercism's problem-specifications folder (set dataDir / HYPERAGENTS_DATA_DIR instead)",
  'reward-design': 'its tasks are built in (src/domains/reward-design/tasks.ts)',
};

export interface EvalRequest {
  programDir: string;
  domain: string;
  split?: Split;
  taskIds?: string[];
  dataFile?: string;
  limit?: number;
}

export interface EvalReport {
  program: string;
  domain: string;
  split: Split;
  dataFile?: string;
  score: number;
  metrics: Record<string, number>;
  tasks: SplitReport['tasks'];
}

/** What an evaluation needs from the world; the CLI builds it from the config, tests and benches can too. */
export interface EvalDeps {
  domain: (name: string) => Domain;
  /** The configured data set of a domain (same seed and sizes as an evolution run). */
  tasks: (domain: Domain) => Promise<LoadedTasks>;
  /** A user's file in the domain's generic format. */
  tasksFromFile: (domain: Domain, file: string) => Promise<LoadedTasks>;
  sandbox: () => Promise<Sandbox>;
  limits: SandboxLimits;
  perTaskSec: number;
  maxBatchSec: number;
  gateway?: { socketDir: string; socketName: string };
  progress?: (line: string) => void;
}

export async function readEvalProgram(dir: string): Promise<ProgramFiles> {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs)) throw new Error(`no program folder at ${abs}`);
  if (!fs.statSync(abs).isDirectory()) throw new Error(`${abs} is not a folder (expected a program folder)`);
  const program = await readProgramDir(abs);
  if (program['task_agent.mjs'] === undefined)
    throw new Error(`${abs} has no task_agent.mjs: not a hyperagent program (see src/agent/seed/README.md)`);
  return program;
}

function parseSplit(value: string): Split {
  const split = value === 'validation' ? 'val' : value;
  if (!(SPLITS as readonly string[]).includes(split))
    throw new Error(`unknown split "${value}"; use one of ${SPLITS.join(', ')}`);
  return split as Split;
}

/**
 * The tasks to run: the split (default train), or the named ids. Named ids without --split may come
 * from any split; with --split they must belong to it.
 */
export function selectTasks(
  loaded: LoadedTasks,
  request: Pick<EvalRequest, 'split' | 'taskIds' | 'limit'>,
): { split: Split; tasks: Task[] } {
  if (!request.taskIds) {
    const split = request.split ?? 'train';
    const tasks = loaded.splits[split];
    if (tasks.length === 0) throw new Error(`the ${split} split has no tasks`);
    return { split, tasks: request.limit !== undefined ? tasks.slice(0, request.limit) : [...tasks] };
  }
  const where = new Map<string, { split: Split; task: Task }>();
  for (const s of SPLITS) for (const t of loaded.splits[s]) where.set(t.id, { split: s, task: t });
  const picked = request.taskIds.map((id) => {
    const hit = where.get(id);
    if (!hit) {
      const known = [...where.keys()].slice(0, 5).join(', ');
      throw new Error(
        `unknown task id "${id}" (known ids look like: ${known}${where.size > 5 ? ', …' : ''})`,
      );
    }
    if (request.split && hit.split !== request.split)
      throw new Error(`task "${id}" is in the ${hit.split} split, not ${request.split}`);
    return hit;
  });
  const splits = new Set(picked.map((p) => p.split));
  if (splits.size > 1)
    throw new Error(
      `the tasks given span several splits (${[...splits].join(', ')}); evaluate one split at a time`,
    );
  const tasks = picked.map((p) => p.task);
  return {
    split: picked[0]!.split,
    tasks: request.limit !== undefined ? tasks.slice(0, request.limit) : tasks,
  };
}

/** A batch runner that runs chunks of tasks one sandbox session each, reporting progress. */
function chunkedRunner(run: BatchRunner, total: number, progress?: (line: string) => void): BatchRunner {
  let answered = 0;
  return async (tasks) => {
    const all = new Map<string, Awaited<ReturnType<BatchRunner>> extends Map<string, infer A> ? A : never>();
    for (let i = 0; i < tasks.length; i += CHUNK) {
      const part = tasks.slice(i, i + CHUNK);
      for (const [id, answer] of await run(part)) all.set(id, answer);
      answered += part.length;
      progress?.(`task agent answered ${answered}/${total} tasks`);
    }
    return all;
  };
}

/** The domain with a score counter around it, for progress lines while scoring. */
function countingDomain(domain: Domain, total: number, progress?: (line: string) => void): Domain {
  let scored = 0;
  return {
    name: domain.name,
    staged: domain.staged,
    describe: () => domain.describe(),
    loadTasks: (o) => domain.loadTasks(o),
    aggregate: (perTask) => domain.aggregate(perTask),
    score: async (prediction, label, context) => {
      const s = await domain.score(prediction, label, context);
      scored += 1;
      if (scored === total || scored % 5 === 0) progress?.(`scored ${scored}/${total} tasks`);
      return s;
    },
  };
}

/** Runs a program's task agent in the sandbox on a domain's tasks and scores them on the host. */
export async function evaluateProgram(request: EvalRequest, deps: EvalDeps): Promise<EvalReport> {
  const program = await readEvalProgram(request.programDir);
  const domain = deps.domain(request.domain);
  let loaded: LoadedTasks;
  if (request.dataFile !== undefined) {
    const why = NO_GENERIC_FORMAT[domain.name];
    if (why) throw new Error(`--data: domain ${domain.name} has no generic data file format; ${why}`);
    const file = path.resolve(request.dataFile);
    try {
      fs.accessSync(file, fs.constants.R_OK);
      if (!fs.statSync(file).isFile()) throw new Error('not a file');
    } catch (e) {
      throw new Error(`cannot read data file ${file}: ${(e as Error).message}`);
    }
    loaded = await deps.tasksFromFile(domain, file);
  } else {
    loaded = await deps.tasks(domain);
  }
  const { split, tasks } = selectTasks(loaded, request);
  deps.progress?.(`evaluating ${tasks.length} ${domain.name}/${split} task(s) in the sandbox`);
  const run = sandboxBatchRunner({
    sandbox: deps.sandbox,
    limits: deps.limits,
    program,
    domain,
    perTaskSec: deps.perTaskSec,
    maxBatchSec: deps.maxBatchSec,
    labels: { purpose: 'eval' },
    gateway: deps.gateway,
  });
  // Staged evaluation off: every task is "staged", so the whole selection is scored.
  const report = await evaluateSplit({
    domain: countingDomain(domain, tasks.length, deps.progress),
    tasks,
    labels: loaded.labels,
    staged: tasks,
    gate: 0,
    run: chunkedRunner(run, tasks.length, deps.progress),
    context: { runUntrusted: sandboxUntrustedRunner(deps.sandbox, deps.limits) },
  });
  return {
    program: path.resolve(request.programDir),
    domain: domain.name,
    split,
    ...(request.dataFile !== undefined ? { dataFile: path.resolve(request.dataFile) } : {}),
    score: report.score,
    metrics: report.metrics,
    tasks: report.tasks,
  };
}

/** One line of a prediction for a table cell. */
export function previewPrediction(prediction: unknown, width = PREDICTION_WIDTH): string {
  const text = typeof prediction === 'string' ? prediction : (JSON.stringify(prediction) ?? 'undefined');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

export function formatEvalReport(r: EvalReport): string {
  const rows = r.tasks.map((t) => [
    t.id,
    t.error !== undefined ? previewPrediction(`error: ${t.error}`) : previewPrediction(t.prediction),
    fmt(t.score),
  ]);
  const others = Object.entries(r.metrics)
    .filter(([k]) => k !== 'score')
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  return [
    `program ${r.program}`,
    `domain ${r.domain}, split ${r.split}${r.dataFile ? `, data ${r.dataFile}` : ''}, ${r.tasks.length} task(s)`,
    '',
    table(['task', 'prediction', 'score'], rows),
    '',
    `score ${fmt(r.score)}${others ? ` (${others})` : ''}`,
  ].join('\n');
}

/**
 * The dependencies as an evolution run has them: the run config's seed, split sizes and time-outs,
 * the config's user domains and data folder, and the stack's sandbox.
 */
export async function evalDepsFromConfig(
  c: LoadedConfig,
  extra: Pick<EvalDeps, 'gateway' | 'progress'> = {},
): Promise<EvalDeps> {
  const run = parseRunConfig(c.run ?? {});
  const seed = numericSeed(run.seed);
  const access = await domainAccess(c);
  let sandbox: Promise<Sandbox> | undefined;
  return {
    domain: access.domain,
    tasks: (d) => access.tasks(d, seed, sizesFor(run, d.name)),
    tasksFromFile: (d, file) => d.loadTasks({ seed, dataFile: file, dataDir: c.dataDir }),
    sandbox: () => (sandbox ??= sandboxFor(c)),
    limits: c.sandbox,
    perTaskSec: run.timeouts.perTaskSec,
    maxBatchSec: run.timeouts.evaluationSec,
    ...extra,
  };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive integer, got "${value}"`);
  return n;
}

export function registerEvalCommand(program: Command, ctx: CliContext): void {
  program
    .command('eval <program-dir>')
    .description("run a program's task agent on a domain in the sandbox and score it")
    .requiredOption('--domain <name>', 'domain to evaluate on (built-in or from the config)')
    .option('--split <split>', 'train | val | test (default: train, or the split of --tasks)')
    .option('--tasks <ids>', 'comma-separated task ids')
    .option('--data <file>', "a file in the domain's generic format instead of the configured data set")
    .option('--limit <n>', 'evaluate only the first n tasks', parseCount)
    .option('--json', 'print machine-readable output')
    .action(
      async (
        programDir: string,
        opts: {
          domain: string;
          split?: string;
          tasks?: string;
          data?: string;
          limit?: number;
          json?: boolean;
        },
      ) => {
        const c = ctx.config();
        const gateway = await openGatewaySession({
          llm: c.llm,
          prices: c.llm.prices,
          budgetLeft: {},
          store: new S3ObjectStore(makeS3Client(c), c.s3.bucket),
          runId: 'eval',
          nodeId: path.basename(path.resolve(programDir)),
          purpose: `eval:${opts.domain}`,
        });
        try {
          const report = await evaluateProgram(
            {
              programDir,
              domain: opts.domain,
              split: opts.split !== undefined ? parseSplit(opts.split) : undefined,
              taskIds: opts.tasks
                ?.split(',')
                .map((s) => s.trim())
                .filter(Boolean),
              dataFile: opts.data,
              limit: opts.limit,
            },
            await evalDepsFromConfig(c, {
              gateway,
              progress: (line) => process.stderr.write(`[eval] ${line}\n`),
            }),
          );
          console.log(opts.json ? JSON.stringify(report, null, 2) : formatEvalReport(report));
        } finally {
          await gateway?.close();
        }
      },
    );
}
