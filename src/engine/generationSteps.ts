/**
 * The steps of one DGM-H generation as the current workflow release takes them, written once over
 * the services they call: the generation workflow passes activities (workflows/generation.ts), the
 * in-process bench the services themselves (bench/inProcess.ts). Pure: it only orders calls.
 *
 * What runs at once, and why:
 * - the evaluation plan is made while the parent is selected and the meta agent runs (it depends
 *   on the run's config only), so it costs no time between the child and its evaluation;
 * - each domain's stages run as a chain of their own, the domains' chains side by side, each under
 *   an even share of what the generation may still spend, so together they never exceed it (a
 *   domain that needs more than its share has calls refused, as a parallel generation does);
 * - the spend from the call logs and the child's score are read side by side before it is archived.
 */
import { afterSpending, approvalReason, continuesToRest, splitBudget } from './runState';
import type {
  BudgetLeft,
  ChildDraft,
  EvaluationPlan,
  EvaluationStage,
  GenerationInput,
  GenerationResult,
  NodeScores,
  NodeVerdict,
  RunConfig,
  SplitPlan,
  StageEvaluation,
} from './types';

type Spent = { usd: number; tokens: number };

/** One evaluation stage's request, and the sizes its time limit follows. */
export interface StageRequest {
  runId: string;
  nodeId: string;
  config: RunConfig;
  domain: string;
  split: SplitPlan['split'];
  stage: EvaluationStage;
  budgetLeft: BudgetLeft;
}

/** The services a generation calls, one call each (the engine's activities, or the services direct). */
export interface GenerationServices {
  createStartNode(input: { runId: string; config: RunConfig }): Promise<ChildDraft>;
  selectParent(input: Pick<GenerationInput, 'runId' | 'generation' | 'config' | 'archive'>): Promise<string>;
  selfModify(
    input: Pick<GenerationInput, 'runId' | 'generation' | 'config' | 'archive' | 'budgetLeft'> & {
      parentId: string;
      generationsLeft: number;
    },
  ): Promise<ChildDraft>;
  planEvaluation(input: { runId: string; config: RunConfig }): Promise<EvaluationPlan>;
  /** `sized`: the stage's task count and how many run at once, for its time limit. */
  evaluateStage(input: StageRequest, sized: { tasks: number; concurrency: number }): Promise<StageEvaluation>;
  recordedSpend(input: {
    runId: string;
    nodeId: string;
    scope: 'generation';
  }): Promise<{ costUsd: number; tokens: number }>;
  scoreNode(input: {
    runId: string;
    nodeId: string;
    scores: NodeScores;
    config: RunConfig;
  }): Promise<NodeVerdict>;
  /** `heldFor`: the approval reason when the child is held for a reviewer. */
  finalizeNode(
    input: { runId: string; nodeId: string; scores: NodeScores; pendingApproval: boolean },
    heldFor: string | undefined,
  ): Promise<void>;
}

interface DomainEvaluated {
  scores: NodeScores[string];
  spent: Spent;
  budgetRefusal?: string;
}

/**
 * One domain's stages in order (staged train, the rest past the gate, then validation), within
 * `share`: each stage is told `share` less what the domain's stages before it spent.
 */
export async function evaluateDomain(
  services: Pick<GenerationServices, 'evaluateStage'>,
  at: { runId: string; nodeId: string; config: RunConfig; domain: string },
  splits: readonly SplitPlan[],
  share: BudgetLeft,
): Promise<DomainEvaluated> {
  const scores: NodeScores[string] = {};
  let spent: Spent = { usd: 0, tokens: 0 };
  let budgetRefusal: string | undefined;
  for (const split of splits) {
    const stage = async (stage: EvaluationStage, tasks: number) => {
      const r = await services.evaluateStage(
        { ...at, split: split.split, stage, budgetLeft: afterSpending(share, spent) },
        { tasks, concurrency: split.concurrency },
      );
      spent = { usd: spent.usd + r.costUsd, tokens: spent.tokens + r.tokens };
      budgetRefusal ??= r.budgetRefusal;
      return r;
    };
    const staged = await stage('staged', split.staged);
    scores[split.split] = continuesToRest(split, staged.stagedScore)
      ? (await stage('rest', split.rest)).score
      : staged.score;
  }
  return { scores, spent, ...(budgetRefusal !== undefined ? { budgetRefusal } : {}) };
}

/** The generation's child: the start program at generation 0, else a parent's rewrite by its meta agent. */
export async function draftChild(
  services: Pick<GenerationServices, 'createStartNode' | 'selectParent' | 'selfModify'>,
  input: GenerationInput,
): Promise<ChildDraft> {
  const { runId, generation, config } = input;
  if (generation === 0) return services.createStartNode({ runId, config });
  const parentId = await services.selectParent({ runId, generation, config, archive: input.archive });
  return services.selfModify({
    runId,
    generation,
    config,
    parentId,
    archive: input.archive,
    budgetLeft: input.budgetLeft,
    generationsLeft: input.generationsLeft ?? config.budget.generations - generation,
  });
}

/** Select, self-modify, evaluate per domain (staged), apply the approval policy, archive. */
export async function runGenerationSteps(
  services: GenerationServices,
  input: GenerationInput,
): Promise<GenerationResult> {
  const { runId, config } = input;
  const planning = services.planEvaluation({ runId, config });
  // Awaited below; until then a failure must not count as unhandled.
  planning.catch(() => undefined);

  const draft = await draftChild(services, input);
  const plan = await planning;

  const scores: Record<string, NodeScores[string]> = {};
  let spent: Spent = { usd: draft.costUsd, tokens: draft.tokens };
  // A meta agent the budget cut short: the run stops; its child is not evaluated (that would be refused too).
  const metaRefusal = draft.budgetRefusal;
  let budgetRefusal: string | undefined;
  if (draft.validation.passed && metaRefusal === undefined) {
    const share = splitBudget(afterSpending(input.budgetLeft, spent), config.domains.length);
    const at = { runId, nodeId: draft.nodeId, config };
    const evaluated = await Promise.all(
      config.domains.map((domain) => evaluateDomain(services, { ...at, domain }, plan[domain] ?? [], share)),
    );
    config.domains.forEach((domain, i) => {
      const r = evaluated[i]!;
      scores[domain] = r.scores;
      spent = { usd: spent.usd + r.spent.usd, tokens: spent.tokens + r.spent.tokens };
      budgetRefusal ??= r.budgetRefusal;
    });
  }
  // The call logs also hold what retried attempts spent, which no result reports.
  const [logged, verdict] = await Promise.all([
    services.recordedSpend({ runId, nodeId: draft.nodeId, scope: 'generation' }),
    services.scoreNode({ runId, nodeId: draft.nodeId, scores, config }),
  ]);
  spent = { usd: Math.max(spent.usd, logged.costUsd), tokens: Math.max(spent.tokens, logged.tokens) };
  return archiveChild(services, input, { draft, verdict, scores, spent, budgetRefusal });
}

/** Applies the approval policy, archives the child (held for a reviewer or not), and reports the generation. */
export async function archiveChild(
  services: Pick<GenerationServices, 'finalizeNode'>,
  input: GenerationInput,
  at: {
    draft: ChildDraft;
    verdict: NodeVerdict;
    scores: NodeScores;
    spent: Spent;
    budgetRefusal: string | undefined;
  },
): Promise<GenerationResult> {
  const { draft, verdict } = at;
  const { runId, generation, config } = input;
  const reason =
    generation === 0 ? undefined : approvalReason(config.approval, { ...draft, ...verdict }, input.bestScore);
  await services.finalizeNode(
    { runId, nodeId: draft.nodeId, scores: at.scores, pendingApproval: reason !== undefined },
    reason,
  );
  return generationResult({ ...at, reason, generation });
}

/**
 * What a generation reports to its run: the child, its verdict and held approval, what it spent,
 * and why the run must stop when the budget refused the meta agent (then nothing was evaluated)
 * or an evaluation's calls.
 */
function generationResult(at: {
  draft: ChildDraft;
  verdict: NodeVerdict;
  spent: Spent;
  /** The approval reason when the child is held for a reviewer. */
  reason: string | undefined;
  generation: number;
  budgetRefusal: string | undefined;
}): GenerationResult {
  const { draft, verdict, reason, generation, budgetRefusal } = at;
  const metaRefusal = draft.budgetRefusal;
  return {
    nodeId: draft.nodeId,
    generation,
    parentId: draft.parentId,
    eligible: verdict.eligible,
    score: verdict.score,
    perDomain: verdict.perDomain,
    costUsd: at.spent.usd,
    tokens: at.spent.tokens,
    metaChanged: draft.metaChanged,
    approval: reason
      ? { nodeId: draft.nodeId, generation, reason, score: verdict.score, perDomain: verdict.perDomain }
      : undefined,
    note: verdict.eligible ? undefined : verdict.reasons.join('; '),
    ...(metaRefusal
      ? { stop: `LLM budget exhausted during self-modification of ${draft.nodeId}: ${metaRefusal}` }
      : budgetRefusal
        ? { stop: `LLM budget exhausted during evaluation of ${draft.nodeId}: ${budgetRefusal}` }
        : {}),
  };
}
