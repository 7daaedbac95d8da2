import { agentView, type Domain, type ScoreContext, type Task, type TaskScore } from '../domains/contract';
import { mapLimit } from '../util/concurrency';
import type { AnswerCounts } from '../archive/record';
import { finalScore, passesGate } from './staged';

const SCORE_CONCURRENCY = 2;

/** What the task agent answered for one task (from the sandbox's batch runner). */
export interface TaskAnswer {
  prediction?: unknown;
  error?: string;
  /** The task agent's own trace (capped by the harness); untrusted, kept for people to read. */
  trace?: unknown;
}

export type AnswerSource = keyof AnswerCounts;

/**
 * How one answer was made. No answer is `failed`; otherwise the task agent's own account (its
 * trace's `path`: 'llm' when the model answered): `model`, or `fallback` when a model was there but
 * the agent answered without it, or `offline` when none was configured.
 */
export function answerSource(answer: TaskAnswer, llmAvailable: boolean): AnswerSource {
  if (answer.error !== undefined) return 'failed';
  if (!llmAvailable) return 'offline';
  const path =
    typeof answer.trace === 'object' && answer.trace !== null
      ? (answer.trace as { path?: unknown }).path
      : undefined;
  return path === 'llm' ? 'model' : 'fallback';
}

function countSources(tasks: readonly { answer: AnswerSource }[]): AnswerCounts {
  const counts = { model: 0, fallback: 0, offline: 0, failed: 0 };
  for (const t of tasks) counts[t.answer] += 1;
  return counts;
}

/**
 * Runs a batch of tasks through the program's task agent: one sandbox session, many tasks. Each
 * answer also goes to `onAnswer` as it arrives (to checkpoint it). Rejects with BatchCutShortError
 * when the session ended before every task answered.
 */
export type BatchRunner = (
  tasks: Task[],
  onAnswer?: (id: string, answer: TaskAnswer) => void,
) => Promise<Map<string, TaskAnswer>>;

/**
 * The batch's session ended (time-out, crash) before every task answered. The unanswered tasks were
 * never tried, so they get no score: the evaluation fails and is retried.
 */
export class BatchCutShortError extends Error {
  override name = 'BatchCutShortError';
}

export type TaskResult = SplitReport['tasks'][number];

export interface SplitReport {
  score: number;
  basis: 'full' | 'staged-scaled';
  evaluated: number;
  total: number;
  stagedScore: number;
  metrics: Record<string, number>;
  answers: AnswerCounts;
  tasks: Array<{
    id: string;
    prediction?: unknown;
    error?: string;
    score: number;
    details?: unknown;
    answer: AnswerSource;
    trace?: unknown;
  }>;
}

/**
 * Scores the task agent's answers on the host (labels never left it); a missing answer is `failed`.
 * A domain with `scoreMany` scores all the answers at once (coding: one sandbox session for many).
 */
export async function scoreAnswers(
  domain: Domain,
  tasks: readonly Task[],
  labels: ReadonlyMap<string, unknown>,
  answers: ReadonlyMap<string, TaskAnswer>,
  context: Omit<ScoreContext, 'taskId'>,
  llmAvailable: boolean,
): Promise<TaskResult[]> {
  const answered = tasks.map((t) => ({
    t,
    a: answers.get(t.id) ?? { error: 'no answer from the task agent' },
  }));
  const scored = answered.filter(({ a }) => a.error === undefined);
  const item = ({ t, a }: (typeof answered)[number]) => ({
    taskId: t.id,
    prediction: a.prediction,
    label: labels.get(t.id),
  });
  const scores = domain.scoreMany
    ? await domain.scoreMany(scored.map(item), context)
    : // Scorers that execute predictions start a sandbox each: score a few at once.
      await mapLimit(scored, SCORE_CONCURRENCY, async (x) => {
        const { taskId, prediction, label } = item(x);
        return domain.score(prediction, label, { ...context, taskId });
      });
  const byTask = new Map(scored.map(({ t }, i) => [t, scores[i]]));
  return answered.map(({ t, a }) => {
    const s: TaskScore = byTask.get(t) ?? { score: 0, details: { error: a.error } };
    return {
      id: t.id,
      prediction: a.prediction,
      error: a.error,
      score: s.score,
      details: s.details,
      answer: answerSource(a, llmAvailable),
      ...(a.trace !== undefined ? { trace: a.trace } : {}),
    };
  });
}

/** The staged tasks' primary score, which the gate compares. */
export function stagedScoreOf(domain: Domain, staged: readonly TaskResult[]): number {
  return domain.aggregate(staged.map((r) => ({ score: r.score }))).score;
}

/**
 * The report of a split evaluated on its staged tasks only: the staged score scaled by the fraction
 * evaluated (ARCHITECTURE.md, "Staged evaluation"), or the full score when they were the whole split.
 */
export function stagedReport(domain: Domain, staged: readonly TaskResult[], splitSize: number): SplitReport {
  const stagedScore = stagedScoreOf(domain, staged);
  if (staged.length === splitSize) return fullReport(domain, staged, stagedScore);
  return {
    ...finalScore({ staged: { score: stagedScore, evaluated: staged.length }, splitSize }),
    evaluated: staged.length,
    total: splitSize,
    stagedScore,
    metrics: { ...domain.aggregate(staged.map((r) => ({ score: r.score, details: r.details as never }))) },
    answers: countSources(staged),
    tasks: [...staged],
  };
}

/** The report of a fully evaluated split, its results in split order. */
export function fullReport(domain: Domain, ordered: readonly TaskResult[], stagedScore: number): SplitReport {
  const metrics = domain.aggregate(ordered.map((r) => ({ score: r.score, details: r.details as never })));
  return {
    score: metrics.score,
    basis: 'full',
    evaluated: ordered.length,
    total: ordered.length,
    stagedScore,
    metrics: { ...metrics },
    answers: countSources(ordered),
    tasks: [...ordered],
  };
}

/** Puts results in the split's order. */
export function inSplitOrder(tasks: readonly Task[], results: readonly TaskResult[]): TaskResult[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  return tasks.map((t) => byId.get(t.id)!);
}

/**
 * Staged evaluation of one split: the staged tasks first; the rest only when the staged score
 * passes the gate. Without the full pass, the score is the staged one scaled by the fraction
 * evaluated (ARCHITECTURE.md, "Staged evaluation").
 */
export async function evaluateSplit(input: {
  domain: Domain;
  tasks: readonly Task[];
  labels: ReadonlyMap<string, unknown>;
  staged: readonly Task[];
  gate: number;
  run: BatchRunner;
  context?: Omit<ScoreContext, 'taskId'>;
  /** Whether the task agent had an LLM gateway (to tell a model's answer from a fallback). */
  llmAvailable?: boolean;
}): Promise<SplitReport> {
  const { domain, tasks, labels, run } = input;
  const context = input.context ?? {};
  const llm = input.llmAvailable ?? false;
  // Only the agent view leaves the host: labels stay in `labels`.
  const batch = async (part: readonly Task[]) =>
    scoreAnswers(domain, part, labels, await run(part.map((t) => agentView(t))), context, llm);
  const stagedResults = await batch(input.staged);
  const stagedScore = stagedScoreOf(domain, stagedResults);
  const stagedIds = new Set(input.staged.map((t) => t.id));
  const rest = tasks.filter((t) => !stagedIds.has(t.id));
  if (rest.length === 0 || !passesGate(stagedScore, input.gate))
    return stagedReport(domain, inSplitOrder(input.staged, stagedResults), tasks.length);
  const all = inSplitOrder(tasks, [...stagedResults, ...(await batch(rest))]);
  return fullReport(domain, all, stagedScore);
}
