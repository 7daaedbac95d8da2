import * as path from 'path';
import type { ProgramFiles } from '../agent/program';
import { SPLITS, type Domain, type LoadedTasks, type Split, type Task } from '../domains';
import type { BatchRunner, SplitReport } from '../evaluation';
import type { EngineDeps } from './deps';
import { evaluationConcurrency } from './runConfig';
import { numericSeed, sizesFor } from './seeds';
import { runSplit } from './splitEvaluation';
import type { RunConfig } from './types';

/**
 * Tasks per sandbox session: small enough to show progress, large enough to amortise a container
 * start; at least a few rounds of the batch's concurrency.
 */
const CHUNK = 20;
const ROUNDS_PER_CHUNK = 4;

export interface EvalRequest {
  program: ProgramFiles;
  /** Where the program came from (shown in the report; its name labels the LLM call log). */
  programPath: string;
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
  /** Set when the program broke a rule at the LLM gateway: the score is not the model's work. */
  policyViolation?: string;
}

/** The run settings an evaluation uses (seed, split sizes, time-outs), and where progress goes. */
export interface EvalOptions {
  run: RunConfig;
  progress?: (line: string) => void;
}

/**
 * The tasks to run: the split (default train), or the named ids. Named ids without a split may come
 * from any split; with one they must belong to it.
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
function chunkedRunner(
  run: BatchRunner,
  total: number,
  concurrency: number,
  progress?: (line: string) => void,
): BatchRunner {
  const chunk = Math.max(CHUNK, concurrency * ROUNDS_PER_CHUNK);
  let answered = 0;
  return async (tasks, onAnswer) => {
    const all: Awaited<ReturnType<BatchRunner>> = new Map();
    for (let i = 0; i < tasks.length; i += chunk) {
      const part = tasks.slice(i, i + chunk);
      for (const [id, answer] of await run(part, onAnswer)) all.set(id, answer);
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
    concurrency: domain.concurrency,
    describe: () => domain.describe(),
    loadTasks: (o) => domain.loadTasks(o),
    aggregate: (perTask) => domain.aggregate(perTask),
    score: async (prediction, label, context) => {
      const s = await domain.score(prediction, label, context);
      scored += 1;
      if (scored === total || scored % 5 === 0) progress?.(`scored ${scored}/${total} tasks`);
      return s;
    },
    ...(domain.scoreMany
      ? {
          scoreMany: async (items, context) => {
            const s = await domain.scoreMany!(items, context);
            scored += items.length;
            progress?.(`scored ${scored}/${total} tasks`);
            return s;
          },
        }
      : {}),
  };
}

/** A key-safe name for the LLM call log of an evaluation: the program folder's name. */
function sessionName(programPath: string): string {
  return (
    path
      .basename(programPath)
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '') || 'program'
  );
}

/**
 * Runs a program's task agent in the sandbox on a domain's tasks (the configured data set with the
 * run's seed and sizes, or a user's data file) and scores every selected task on the host.
 */
export async function evaluateProgram(
  deps: EngineDeps,
  request: EvalRequest,
  options: EvalOptions,
): Promise<EvalReport> {
  const { run, progress } = options;
  const domain = deps.domains.domain(request.domain);
  const seed = numericSeed(run.seed);
  const loaded =
    request.dataFile !== undefined
      ? await deps.domains.tasksFromFile(domain, request.dataFile, seed)
      : await deps.domains.tasks(domain, seed, sizesFor(run, domain.name));
  const { split, tasks } = selectTasks(loaded, request);
  const concurrency = evaluationConcurrency(run, domain);
  progress?.(`evaluating ${tasks.length} ${domain.name}/${split} task(s) in the sandbox`);
  const gateway = await deps.openLlmSession({
    runId: 'eval',
    nodeId: sessionName(request.programPath),
    purpose: `eval:${domain.name}`,
    budgetLeft: {},
  });
  try {
    // Staged evaluation off: every task is "staged", so the whole selection is scored.
    const report = await runSplit(deps, {
      program: request.program,
      domain,
      tasks,
      labels: loaded.labels,
      staged: tasks,
      gate: 0,
      perTaskSec: run.timeouts.perTaskSec,
      concurrency,
      maxBatchSec: run.timeouts.evaluationSec,
      sessionLabels: { purpose: 'eval' },
      gateway,
      around: {
        run: (r) => chunkedRunner(r, tasks.length, concurrency, progress),
        domain: (d) => countingDomain(d, tasks.length, progress),
      },
    });
    const violation = gateway?.violation();
    return {
      program: request.programPath,
      domain: domain.name,
      split,
      ...(request.dataFile !== undefined ? { dataFile: path.resolve(request.dataFile) } : {}),
      score: report.score,
      metrics: report.metrics,
      tasks: report.tasks,
      ...(violation ? { policyViolation: `LLM gateway: ${violation}` } : {}),
    };
  } finally {
    await gateway?.close();
  }
}
