import {
  patched,
  setCurrentDetails,
  upsertMemo,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import {
  archiveChild,
  draftChild,
  evaluateDomain,
  runGenerationSteps,
  type GenerationServices,
} from '../src/engine/generationSteps';
import { afterSpending } from '../src/engine/runState';
import type {
  BudgetLeft,
  GenerationInput,
  GenerationResult,
  NodeScores,
  RunConfig,
} from '../src/engine/types';
import {
  evaluationOptions,
  metaAgentOptions,
  recordOptions,
  shortSandboxOptions,
  stageOptions,
} from './activityOptions';
import {
  CONCURRENT_STEPS_PATCH,
  GENERATION_METADATA_PATCH,
  RUN_WIDE_BUDGET_PATCH,
  STAGE_ACTIVITIES_PATCH,
} from './patches';
import { searchAttributes } from './searchAttributes';
import { genLabel, generationStatus, outcomeLine, shortNode, stageSummary } from './summaries';
import { routedActivities } from './taskQueues';

/**
 * Activity options with a readable summary (runs with GENERATION_METADATA_PATCH), and the
 * generation's current details set to it: what it is doing now, for the Temporal UI.
 */
function described(options: ActivityOptions, summary: string | undefined): ActivityOptions {
  if (summary === undefined) return options;
  setCurrentDetails(summary);
  return { ...options, summary };
}

interface Evaluated {
  scores: Record<string, NodeScores[string]>;
  spent: { usd: number; tokens: number };
  budgetRefusal?: string;
}

/**
 * A child's evaluation as releases before CONCURRENT_STEPS_PATCH take it: the plan after the meta
 * agent, then one domain after another, one activity per split and stage (`evaluateDomain`), each
 * domain told what the generation has left after the ones before it.
 */
async function evaluateByStage(
  services: GenerationServices,
  at: { runId: string; nodeId: string; config: RunConfig },
  budgetLeft: BudgetLeft,
  spentBefore: { usd: number; tokens: number },
): Promise<Evaluated> {
  const plan = await services.planEvaluation({ runId: at.runId, config: at.config });
  const scores: Evaluated['scores'] = {};
  let spent = spentBefore;
  let budgetRefusal: string | undefined;
  for (const domain of at.config.domains) {
    const r = await evaluateDomain(
      services,
      { ...at, domain },
      plan[domain] ?? [],
      afterSpending(budgetLeft, spent),
    );
    scores[domain] = r.scores;
    spent = { usd: spent.usd + r.spent.usd, tokens: spent.tokens + r.spent.tokens };
    budgetRefusal ??= r.budgetRefusal;
  }
  return { scores, spent, ...(budgetRefusal !== undefined ? { budgetRefusal } : {}) };
}

/**
 * The generation's services as activities on their kinds' queues, each with its summary (the
 * generation's current details follow the step that started last); `tagged`: false for histories
 * recorded before GENERATION_METADATA_PATCH, whose activities carry none.
 */
function activityServices(input: GenerationInput, tagged = true): GenerationServices {
  const { config, queues } = input;
  const gen = genLabel(input.generation);
  const on = (options: ActivityOptions, summary: string) =>
    routedActivities(described(options, tagged ? summary : undefined), queues);
  return {
    createStartNode: (i) =>
      on(shortSandboxOptions, `${gen}: archiving and validating the start program`).createStartNode(i),
    selectParent: (i) => on(shortSandboxOptions, `${gen}: selecting a parent`).selectParent(i),
    selfModify: (i) =>
      on(metaAgentOptions(config), `${gen}: meta agent of ${shortNode(i.parentId)}`).selfModify(i),
    planEvaluation: (i) => on(shortSandboxOptions, `${gen}: planning the evaluation`).planEvaluation(i),
    evaluateStage: (i, sized) =>
      on(
        stageOptions(config, sized.tasks, sized.concurrency),
        stageSummary(input.generation, i.domain, i.split, i.stage, sized.tasks),
      ).evaluateStage(i),
    recordedSpend: (i) => on(recordOptions, `${gen}: finalizing (spend from the call logs)`).recordedSpend(i),
    scoreNode: (i) => on(recordOptions, `${gen}: finalizing (score)`).scoreNode(i),
    finalizeNode: (i, heldFor) =>
      on(
        recordOptions,
        `${gen}: finalizing (${heldFor !== undefined ? 'held for approval' : 'archive'})`,
      ).finalizeNode(i),
  };
}

/**
 * One DGM-H generation: select a parent, let its meta agent rewrite a copy, evaluate the child per
 * domain (staged), apply the approval policy, and archive. Generation 0 archives the start program.
 */
export async function generationWorkflow(input: GenerationInput): Promise<GenerationResult> {
  // Activity summaries, current details, and the search attributes and memo of the outcome.
  const tagged = patched(GENERATION_METADATA_PATCH);
  const result =
    tagged && patched(CONCURRENT_STEPS_PATCH)
      ? await runGenerationSteps(activityServices(input), input)
      : await recordedGeneration(input, tagged);
  if (tagged) {
    const line = outcomeLine(result);
    upsertSearchAttributes([
      { key: searchAttributes.status, value: generationStatus(result) },
      ...(result.score !== undefined ? [{ key: searchAttributes.score, value: result.score }] : []),
    ]);
    upsertMemo({
      outcome: line,
      parentId: result.parentId,
      score: result.score ?? null,
      metaChanged: result.metaChanged,
      eligible: result.eligible,
    });
    setCurrentDetails(line);
  }
  return result;
}

/**
 * A generation as releases recorded before CONCURRENT_STEPS_PATCH took its steps, one after
 * another (their histories replay it); `tagged`: with summaries (GENERATION_METADATA_PATCH).
 */
async function recordedGeneration(input: GenerationInput, tagged: boolean): Promise<GenerationResult> {
  const { runId, config, queues } = input;
  const services = activityServices(input, tagged);
  const draft = await draftChild(services, input);

  const scores: Record<string, NodeScores[string]> = {};
  let spent = { usd: draft.costUsd, tokens: draft.tokens };
  // A meta agent the budget cut short: the run stops; its child is not evaluated (that would be refused too).
  const metaRefusal = draft.budgetRefusal;
  let budgetRefusal: string | undefined;
  if (draft.validation.passed && metaRefusal === undefined && patched(STAGE_ACTIVITIES_PATCH)) {
    const r = await evaluateByStage(
      services,
      { runId, nodeId: draft.nodeId, config },
      input.budgetLeft,
      spent,
    );
    Object.assign(scores, r.scores);
    spent = r.spent;
    budgetRefusal = r.budgetRefusal;
  } else if (draft.validation.passed && metaRefusal === undefined) {
    const evaluation = routedActivities(evaluationOptions(config), queues);
    for (const domain of config.domains) {
      const budgetLeft = afterSpending(input.budgetLeft, spent);
      const r = await evaluation.evaluateNode({ runId, nodeId: draft.nodeId, domain, config, budgetLeft });
      scores[domain] = r.scores;
      spent = { usd: spent.usd + r.costUsd, tokens: spent.tokens + r.tokens };
      budgetRefusal ??= r.budgetRefusal;
    }
  }
  if (patched(RUN_WIDE_BUDGET_PATCH)) {
    // The call logs also hold what retried attempts spent, which no activity result reports.
    const logged = await services.recordedSpend({ runId, nodeId: draft.nodeId, scope: 'generation' });
    spent = { usd: Math.max(spent.usd, logged.costUsd), tokens: Math.max(spent.tokens, logged.tokens) };
  }
  const verdict = await services.scoreNode({ runId, nodeId: draft.nodeId, scores, config });
  return archiveChild(services, input, { draft, verdict, scores, spent, budgetRefusal });
}
