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

/** Runs a batch of tasks through the program's task agent: one sandbox session, many tasks. */
export type BatchRunner = (tasks: Task[]) => Promise<Map<string, TaskAnswer>>;

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

async function scoreBatch(
  domain: Domain,
  tasks: readonly Task[],
  labels: ReadonlyMap<string, unknown>,
  run: BatchRunner,
  context: Omit<ScoreContext, 'taskId'>,
  llmAvailable: boolean,
): Promise<SplitReport['tasks']> {
  // Only the agent view leaves the host: labels stay in `labels`.
  const answers = await run(tasks.map((t) => agentView(t)));
  // Scorers that execute predictions start a sandbox each: score a few at once.
  return mapLimit(tasks, SCORE_CONCURRENCY, async (t) => {
    const a = answers.get(t.id) ?? { error: 'no answer from the task agent' };
    let s: TaskScore = { score: 0, details: { error: a.error } };
    if (a.error === undefined)
      s = await domain.score(a.prediction, labels.get(t.id), { ...context, taskId: t.id });
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
  const stagedIds = new Set(input.staged.map((t) => t.id));
  const llm = input.llmAvailable ?? false;
  const stagedResults = await scoreBatch(domain, input.staged, labels, run, context, llm);
  const stagedScore = domain.aggregate(stagedResults.map((r) => ({ score: r.score }))).score;
  const rest = tasks.filter((t) => !stagedIds.has(t.id));
  if (rest.length > 0 && !passesGate(stagedScore, input.gate)) {
    return {
      ...finalScore({
        staged: { score: stagedScore, evaluated: stagedResults.length },
        splitSize: tasks.length,
      }),
      evaluated: stagedResults.length,
      total: tasks.length,
      stagedScore,
      metrics: {
        ...domain.aggregate(stagedResults.map((r) => ({ score: r.score, details: r.details as never }))),
      },
      answers: countSources(stagedResults),
      tasks: stagedResults,
    };
  }
  const all = [...stagedResults, ...(await scoreBatch(domain, rest, labels, run, context, llm))];
  const byId = new Map(all.map((r) => [r.id, r]));
  const ordered = tasks.map((t) => byId.get(t.id)!);
  const metrics = domain.aggregate(ordered.map((r) => ({ score: r.score, details: r.details as never })));
  return {
    score: metrics.score,
    basis: 'full',
    evaluated: all.length,
    total: tasks.length,
    stagedScore,
    metrics: { ...metrics },
    answers: countSources(ordered),
    tasks: ordered,
  };
}
