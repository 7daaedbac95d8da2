import { stringHash } from '../../util/hash';
import { rngFromString, type Rng } from '../../util/random';
import { trainCem, type CemIteration } from './cem';
import { getEnv } from './envs/registry';
import { parameterCount, policyShape } from './policy';
import {
  compileReward,
  packTransition,
  RewardError,
  transitionStride,
  type RewardErrorKind,
} from './reward-sandbox';
import { runEpisode, type EpisodeOutcome } from './rollout';
import { getRewardTask, type RewardTaskSpec } from './tasks';

export interface EpisodeScore extends EpisodeOutcome {
  readonly score: number;
}

export interface PolicyScore {
  /** Mean true-objective score in [0, 1]. */
  readonly score: number;
  readonly episodes: readonly EpisodeScore[];
}

export interface RewardEvaluation {
  readonly taskId: string;
  readonly seed: number;
  /** True objective of the trained policy in [0, 1]; 0 when the reward function failed. */
  readonly score: number;
  readonly details: {
    readonly envId: string;
    /** Why the score is 0 without training, when the reward function could not be used. */
    readonly failure?: { readonly kind: RewardErrorKind | 'budget'; readonly reason: string };
    readonly trainMs: number;
    readonly scoreMs: number;
    /** Trained policy parameters: the host can re-score them with `scorePolicy` without trusting a sandbox. */
    readonly policyParameters: readonly number[];
    /** Fitness under the agent's reward per CEM iteration (not comparable across rewards). */
    readonly training: readonly CemIteration[];
    readonly evaluation?: PolicyScore;
  };
}

export interface EvaluateOptions {
  /** Per reward batch (one CEM iteration) and for loading the source. */
  readonly rewardTimeoutMs?: number;
  /** Total wall time the reward calls may take over a whole training run. */
  readonly rewardBudgetMs?: number;
}

const clip01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Independent stream per purpose, so adding draws to one purpose never shifts another's. */
const streamOf = (seed: number, purpose: string): Rng => rngFromString(`${seed}/${purpose}`);

/** Host-only: score a policy on the task's true objective, on evaluation starts disjoint from training. */
export function scorePolicy(
  taskOrId: RewardTaskSpec | string,
  parameters: readonly number[],
  seed: number,
): PolicyScore {
  const task = typeof taskOrId === 'string' ? getRewardTask(taskOrId) : taskOrId;
  const env = getEnv(task.envId);
  const shape = policyShape(env, task.training.hidden);
  if (parameters.length !== parameterCount(shape) || !parameters.every(Number.isFinite)) {
    return { score: 0, episodes: [] };
  }
  const episodes: EpisodeScore[] = [];
  for (let k = 0; k < task.evaluationEpisodes; k++) {
    const initial = env.reset(streamOf(seed, `evaluate/${k}`));
    const outcome = runEpisode(env, shape, parameters, initial, env.maxEpisodeSteps);
    const { low, high } = task.objective;
    episodes.push({ ...outcome, score: clip01((outcome.trueReturn - low) / (high - low)) });
  }
  return { score: episodes.reduce((sum, e) => sum + e.score, 0) / episodes.length, episodes };
}

/**
 * Trains a policy with CEM using only `rewardSource` as the reward, then scores it on the task's
 * true objective. Deterministic given (task, source, seed) unless a time limit trips.
 */
export function evaluateReward(
  taskOrId: RewardTaskSpec | string,
  rewardSource: string,
  seed: number,
  options: EvaluateOptions = {},
): RewardEvaluation {
  const task = typeof taskOrId === 'string' ? getRewardTask(taskOrId) : taskOrId;
  const env = getEnv(task.envId);
  const shape = policyShape(env, task.training.hidden);
  const budget = task.training;
  const rewardBudgetMs = options.rewardBudgetMs ?? 10_000;
  const started = Date.now();
  const base = { taskId: task.id, seed };
  const failed = (
    kind: RewardErrorKind | 'budget',
    reason: string,
    training: CemIteration[],
  ): RewardEvaluation => ({
    ...base,
    score: 0,
    details: {
      envId: env.id,
      failure: { kind, reason },
      trainMs: Date.now() - started,
      scoreMs: 0,
      policyParameters: [],
      training,
    },
  });

  const history: CemIteration[] = [];
  let reward;
  try {
    reward = compileReward(rewardSource, {
      stateFields: env.stateFields,
      timeoutMs: options.rewardTimeoutMs ?? 2000,
      seed: stringHash(`${seed}/reward-math-random`),
    });
  } catch (error) {
    if (error instanceof RewardError) return failed(error.kind, error.message, history);
    throw error;
  }

  const stride = transitionStride(env.stateFields.length);
  const episodesPerIteration = budget.cem.population * budget.episodesPerCandidate;
  const buffer = new Float64Array(episodesPerIteration * budget.maxStepsPerEpisode * stride);
  let rewardMs = 0;
  let result;
  try {
    result = trainCem(parameterCount(shape), budget.cem, streamOf(seed, 'cem'), (candidates, iteration) => {
      // Common random numbers: every candidate of an iteration starts from the same states.
      const starts = Array.from({ length: budget.episodesPerCandidate }, (_, e) =>
        env.reset(streamOf(seed, `train/${iteration}/${e}`)),
      );
      let count = 0;
      const ends: number[] = [];
      for (const params of candidates) {
        for (const start of starts) {
          runEpisode(env, shape, params, start, budget.maxStepsPerEpisode, (s, a, n, info) => {
            packTransition(buffer, count * stride, s, a, n, info);
            count++;
          });
          ends.push(count);
        }
      }
      const t0 = Date.now();
      const returns = reward.episodeReturns(buffer, count, ends);
      rewardMs += Date.now() - t0;
      if (rewardMs > rewardBudgetMs) {
        throw new RewardError(
          'timeout',
          `reward calls took ${rewardMs} ms in total, over the ${rewardBudgetMs} ms budget`,
        );
      }
      return candidates.map((_, c) => {
        let sum = 0;
        for (let e = 0; e < budget.episodesPerCandidate; e++)
          sum += returns[c * budget.episodesPerCandidate + e] ?? 0;
        return sum / budget.episodesPerCandidate;
      });
    });
  } catch (error) {
    if (error instanceof RewardError) return failed(error.kind, error.message, history);
    throw error;
  }
  const trainMs = Date.now() - started;
  const scoring = Date.now();
  const evaluation = scorePolicy(task, result.mean, seed);
  return {
    ...base,
    score: evaluation.score,
    details: {
      envId: env.id,
      trainMs,
      scoreMs: Date.now() - scoring,
      policyParameters: result.mean,
      training: result.history,
      evaluation,
    },
  };
}
