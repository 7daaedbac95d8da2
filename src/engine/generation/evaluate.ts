import { reportKey, type SplitScore } from '../../archive';
import { agentView, type Split, type Task } from '../../domains';
import {
  fullReport,
  inSplitOrder,
  scoreAnswers,
  stagedPlan,
  stagedReport,
  stagedScoreOf,
  type SplitReport,
  type TaskResult,
} from '../../evaluation';
import type { CallTally, GatewaySession } from '../../llm';
import { asCheckpoint, Checkpointer } from './stageCheckpoint';
import { rngFromString } from '../../util/random';
import type { EngineDeps } from '../deps';
import { evaluationConcurrency } from '../runConfig';
import { afterSpending, continuesToRest } from '../runState';
import { numericSeed, sizesFor } from '../seeds';
import { sandboxRunners } from '../splitEvaluation';
import type {
  BudgetLeft,
  DomainEvaluation,
  EvaluationPlan,
  EvaluationStage,
  HeldOutScores,
  RunConfig,
  StageEvaluation,
} from '../types';

/**
 * Why an evaluation does not count, from the gateway's host-side tally of the calls made during it:
 * a refused or failed call means some answers are not the model's.
 */
function incompleteness(before: CallTally | undefined, after: CallTally | undefined): string | undefined {
  if (!before || !after) return undefined;
  const refused = after.byOutcome.refused - before.byOutcome.refused;
  const failed = after.byOutcome.error - before.byOutcome.error;
  if (refused > 0) return `${refused} LLM call(s) refused: ${after.firstRefusal ?? 'budget'}`;
  if (failed > 0) return `${failed} LLM call(s) failed: ${after.firstError ?? 'upstream error'}`;
  return undefined;
}

function budgetRefusalOf(before: CallTally | undefined, after: CallTally | undefined): string | undefined {
  const refused = (after?.byOutcome.refused ?? 0) > (before?.byOutcome.refused ?? 0);
  return refused ? (after?.firstRefusal ?? 'the LLM budget refused a call') : undefined;
}

/** `full`: the whole split as one stage (the held-out test split). */
type Stage = EvaluationStage | 'full';

interface StageAt {
  runId: string;
  nodeId: string;
  domain: string;
  split: Split;
  stage: Stage;
  config: RunConfig;
}

/** A split's tasks and the ids of its staged subset: the same for every node of the run. */
async function splitTasks(deps: EngineDeps, config: RunConfig, domainName: string, split: Split) {
  const domain = deps.domains.domain(domainName);
  const loaded = await deps.domains.tasks(domain, numericSeed(config.seed), sizesFor(config, domain.name));
  const tasks = loaded.splits[split];
  const stagedIds = new Set(
    stagedPlan(
      tasks.map((t) => t.id),
      config.stagedSampleSize ?? domain.staged.sampleSize,
      rngFromString(`${config.seed}/staged/${domain.name}/${split}`),
    ),
  );
  return { domain, loaded, tasks, stagedIds };
}

/** Per domain, the train and validation splits' stage sizes, for the workflow to size and gate each stage. */
export async function planEvaluation(
  deps: EngineDeps,
  input: { runId: string; config: RunConfig },
): Promise<EvaluationPlan> {
  const plan: EvaluationPlan = {};
  for (const name of input.config.domains) {
    plan[name] = [];
    for (const split of ['train', 'val'] as const) {
      const { domain, tasks, stagedIds } = await splitTasks(deps, input.config, name, split);
      if (tasks.length === 0) continue;
      plan[name].push({
        split,
        staged: stagedIds.size,
        rest: tasks.length - stagedIds.size,
        gate: domain.staged.gate,
        concurrency: evaluationConcurrency(input.config, domain),
      });
    }
  }
  return plan;
}

/**
 * Evaluates a node on one stage of one split of one domain and stores the split's report (the staged
 * one, then the full one once the rest ran); undefined when the split has no tasks. Answers are
 * checkpointed as they arrive, so a retry runs only the tasks that have none; a batch cut short
 * throws (BatchCutShortError) after its answers are saved. A stage during which the gateway refused
 * or failed calls marks the split incomplete.
 */
async function runStage(
  deps: EngineDeps,
  at: StageAt,
  gateway?: GatewaySession,
  signal?: AbortSignal,
  progress?: (done: number, total: number) => void,
): Promise<Omit<StageEvaluation, 'costUsd' | 'tokens'> | undefined> {
  const { runId, nodeId, split, config } = at;
  const { domain, loaded, tasks, stagedIds } = await splitTasks(deps, config, at.domain, split);
  if (tasks.length === 0) return undefined;
  const mine = (t: Task) => (at.stage === 'full' ? true : stagedIds.has(t.id) === (at.stage === 'staged'));
  const stageTasks = tasks.filter(mine);
  const where = { runId, nodeId, domain: domain.name, split, stage: at.stage };
  const [{ snapshotKey }, partial] = await Promise.all([
    deps.archive.requireNode(runId, nodeId),
    deps.archive.getPartialReport(where),
  ]);
  const saved = asCheckpoint(partial, snapshotKey);
  const checkpoint = new Checkpointer(
    saved,
    (state) => deps.archive.putPartialReport(where, state),
    // Answers after paid LLM calls are saved at once, so a retry does not pay for them again.
    () => gateway?.calls().byOutcome.upstream ?? 0,
  );
  const missing = stageTasks.filter((t) => checkpoint.state.answers[t.id] === undefined);
  // Tasks answered of the stage's (a retry starts from those its checkpoint holds).
  let answered = stageTasks.length - missing.length;
  progress?.(answered, stageTasks.length);
  const before = gateway?.calls();
  const sandbox = sandboxRunners(deps, {
    program: await deps.archive.getProgram(snapshotKey),
    domain,
    perTaskSec: config.timeouts.perTaskSec,
    concurrency: evaluationConcurrency(config, domain),
    maxBatchSec: config.timeouts.evaluationSec,
    sessionLabels: { run: runId, node: nodeId },
    gateway,
    signal,
  });
  const closeCheckpoint = () => {
    const after = gateway?.calls();
    const violation = gateway?.violation();
    return checkpoint.close({
      // A rule broken at the gateway (a role not the task's, the call log's quota) voids the split.
      incomplete: violation ? `policy: LLM gateway: ${violation}` : incompleteness(before, after),
      budgetRefusal: budgetRefusalOf(before, after),
    });
  };
  try {
    // Only the agent view leaves the host: labels stay in `loaded.labels`.
    if (missing.length > 0)
      await sandbox.run(
        missing.map((t) => agentView(t)),
        (id, answer) => {
          if (checkpoint.state.answers[id] === undefined) answered += 1;
          checkpoint.add(id, answer);
          progress?.(Math.min(answered, stageTasks.length), stageTasks.length);
        },
      );
  } catch (e) {
    await closeCheckpoint();
    throw e;
  }
  // The last checkpoint is written while the answers are scored (a retry after a failed scoring
  // starts from it); it never rejects, and is awaited before the stage reports.
  const closing = closeCheckpoint();
  const answers = new Map(Object.entries(checkpoint.state.answers));
  const llm = gateway !== undefined;
  let results: TaskResult[];
  try {
    results = await scoreAnswers(domain, stageTasks, loaded.labels, answers, sandbox.context, llm);
  } finally {
    await closing;
  }
  let report: SplitReport;
  let incomplete = checkpoint.state.incomplete;
  if (at.stage === 'rest') {
    // The staged stage stored the split's report with the staged results; the rest completes it.
    const staged = (await deps.archive.getReport(
      reportKey(runId, nodeId, domain.name, split),
    )) as SplitReport & {
      incomplete?: string;
    };
    const stagedResults = staged.tasks.filter((t: TaskResult) => stagedIds.has(t.id));
    report = fullReport(domain, inSplitOrder(tasks, [...stagedResults, ...results]), staged.stagedScore);
    incomplete = staged.incomplete ?? incomplete;
  } else if (at.stage === 'staged') {
    report = stagedReport(domain, results, tasks.length);
  } else {
    report = fullReport(domain, results, stagedScoreOf(domain, results));
  }
  const key = await deps.archive.putReport(runId, nodeId, domain.name, split, { ...report, incomplete });
  const score: SplitScore = {
    score: report.score,
    basis: report.basis,
    evaluated: report.evaluated,
    total: report.total,
    reportKey: key,
    answers: report.answers,
    ...(incomplete !== undefined ? { incomplete } : {}),
  };
  const budgetRefusal = checkpoint.state.budgetRefusal;
  return { score, stagedScore: report.stagedScore, ...(budgetRefusal ? { budgetRefusal } : {}) };
}

/** A gateway for the node's evaluation calls, metered against what the run has left. */
function openGateway(
  deps: EngineDeps,
  at: { runId: string; nodeId: string; config: RunConfig; purpose: string; budgetLeft?: BudgetLeft },
) {
  return deps.openLlmSession({
    runId: at.runId,
    nodeId: at.nodeId,
    purpose: at.purpose,
    budgetLeft: at.budgetLeft ?? {},
    replayRun: at.config.llm.replayRun,
  });
}

/**
 * One stage (staged tasks, or the rest of the split) of a node's evaluation on one domain's train or
 * validation split, with its own LLM session: the unit the generation workflow runs as an activity.
 */
export async function evaluateStage(
  deps: EngineDeps,
  input: {
    runId: string;
    nodeId: string;
    domain: string;
    split: 'train' | 'val';
    stage: EvaluationStage;
    config: RunConfig;
    budgetLeft?: BudgetLeft;
  },
  signal?: AbortSignal,
  /** Tasks answered of the stage's, as they arrive (the activity's heartbeat carries them). */
  progress?: (done: number, total: number) => void,
): Promise<StageEvaluation> {
  const gateway = await openGateway(deps, { ...input, purpose: `evaluate:${input.domain}` });
  try {
    const r = await runStage(deps, input, gateway, signal, progress);
    if (!r) throw new Error(`${input.domain} has no ${input.split} tasks to evaluate`);
    const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
    return { ...r, costUsd: spent.usd, tokens: spent.tokens };
  } finally {
    await gateway?.close();
  }
}

/**
 * Staged evaluation of a node on one domain's train and validation splits in one activity: how
 * runs recorded before STAGE_ACTIVITIES_PATCH evaluate (their histories call it); new runs call
 * `evaluateStage` per stage.
 */
export async function evaluateNode(
  deps: EngineDeps,
  input: { runId: string; nodeId: string; domain: string; config: RunConfig; budgetLeft?: BudgetLeft },
  signal?: AbortSignal,
): Promise<DomainEvaluation> {
  const { domain, config } = input;
  const gateway = await openGateway(deps, { ...input, purpose: `evaluate:${domain}` });
  try {
    const scores: DomainEvaluation['scores'] = {};
    let budgetRefusal: string | undefined;
    const plans = await planEvaluation(deps, {
      runId: input.runId,
      config: { ...config, domains: [domain] },
    });
    for (const plan of plans[domain]!) {
      const at = { ...input, split: plan.split };
      let s = await runStage(deps, { ...at, stage: 'staged' }, gateway, signal);
      budgetRefusal ??= s?.budgetRefusal;
      if (s && continuesToRest(plan, s.stagedScore)) {
        s = await runStage(deps, { ...at, stage: 'rest' }, gateway, signal);
        budgetRefusal ??= s?.budgetRefusal;
      }
      if (s) scores[plan.split] = s.score;
    }
    const spent = gateway?.spent() ?? { usd: 0, tokens: 0 };
    return { scores, costUsd: spent.usd, tokens: spent.tokens, ...(budgetRefusal ? { budgetRefusal } : {}) };
  } finally {
    await gateway?.close();
  }
}

/**
 * Held-out test evaluation (full split) of the given nodes, e.g. the start node and the best, with
 * the LLM gateway as every other evaluation has it (metered against what the run has left); stores
 * each score in its node and returns them by node and domain, with what the calls cost.
 */
export async function evaluateTestSplit(
  deps: EngineDeps,
  input: { runId: string; nodeIds: string[]; config: RunConfig; budgetLeft?: BudgetLeft },
  signal?: AbortSignal,
): Promise<HeldOutScores> {
  const { runId, config } = input;
  const scores: HeldOutScores['scores'] = {};
  const incomplete: string[] = [];
  let spent = { usd: 0, tokens: 0 };
  for (const nodeId of input.nodeIds) {
    scores[nodeId] = {};
    for (const domain of config.domains) {
      const gateway = await openGateway(deps, {
        runId,
        nodeId,
        config,
        purpose: `test:${domain}`, // counted apart from the generation's calls (src/engine/spend.ts)
        budgetLeft: afterSpending(input.budgetLeft ?? {}, spent),
      });
      try {
        const at = { runId, nodeId, domain, split: 'test' as const, stage: 'full' as const, config };
        const test = await runStage(deps, at, gateway, signal);
        if (!test) continue;
        await deps.archive.updateNode(runId, nodeId, { scores: { [domain]: { test: test.score } } });
        scores[nodeId][domain] = test.score.score;
        if (test.score.incomplete !== undefined)
          incomplete.push(`${nodeId} ${domain}/test: ${test.score.incomplete}`);
      } finally {
        const cost = gateway?.spent() ?? { usd: 0, tokens: 0 };
        spent = { usd: spent.usd + cost.usd, tokens: spent.tokens + cost.tokens };
        await gateway?.close();
      }
    }
  }
  return {
    scores,
    costUsd: spent.usd,
    tokens: spent.tokens,
    ...(incomplete.length > 0 ? { incomplete } : {}),
  };
}
