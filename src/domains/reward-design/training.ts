/**
 * The half of an evaluation that runs the agent's reward, inside the sandbox: CEM over the policy,
 * the reward applied to every training episode. Its only product the host uses is `returns`, the
 * reward values per training episode; the host replays CEM from them (`replayTraining` in
 * evaluate.ts) and scores the resulting policy itself. This file must stay host-safe to import but
 * holds nothing the reward must not see: it gets the training seed only, never the evaluation seed.
 */
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
import { runEpisode } from './rollout';
import { getRewardTask, type RewardTaskSpec } from './tasks';

export type TrainingFailureKind = RewardErrorKind | 'budget';

export interface TrainingRun {
  /**
   * Per CEM iteration, the return under the agent's reward of each training episode, candidate
   * major (`population * episodesPerCandidate` numbers). On failure: the iterations completed.
   */
  readonly returns: readonly (readonly number[])[];
  /** Why training stopped without a policy, when the reward function could not be used. */
  readonly failure?: { readonly kind: TrainingFailureKind; readonly reason: string };
  readonly trainMs: number;
  /** The CEM mean after the last iteration (the host recomputes it from `returns`; [] on failure). */
  readonly policyParameters: readonly number[];
  /** Fitness under the agent's reward per CEM iteration (not comparable across rewards). */
  readonly history: readonly CemIteration[];
}

export interface TrainingOptions {
  /** Per reward batch (one CEM iteration) and for loading the source. */
  readonly rewardTimeoutMs?: number;
  /** Total wall time the reward calls may take over a whole training run. */
  readonly rewardBudgetMs?: number;
}

/** Independent stream per purpose, so adding draws to one purpose never shifts another's. */
export const streamOf = (seed: number, purpose: string): Rng => rngFromString(`${seed}/${purpose}`);

/** CEM fitness of each candidate: the mean of its episodes' returns. Shared by training and replay. */
export function candidateFitness(
  returns: readonly number[],
  population: number,
  episodesPerCandidate: number,
): number[] {
  return Array.from({ length: population }, (_, c) => {
    let sum = 0;
    for (let e = 0; e < episodesPerCandidate; e++) sum += returns[c * episodesPerCandidate + e] ?? 0;
    return sum / episodesPerCandidate;
  });
}

/**
 * Trains a policy with CEM using only `rewardSource` as the reward. Deterministic given
 * (task, source, trainingSeed) unless a time limit trips.
 */
export function trainWithReward(
  taskOrId: RewardTaskSpec | string,
  rewardSource: string,
  trainingSeed: number,
  options: TrainingOptions = {},
): TrainingRun {
  const task = typeof taskOrId === 'string' ? getRewardTask(taskOrId) : taskOrId;
  const env = getEnv(task.envId);
  const shape = policyShape(env, task.training.hidden);
  const budget = task.training;
  const rewardBudgetMs = options.rewardBudgetMs ?? 10_000;
  const started = Date.now();
  const returns: number[][] = [];
  const failed = (kind: TrainingFailureKind, reason: string): TrainingRun => ({
    returns,
    failure: { kind, reason },
    trainMs: Date.now() - started,
    policyParameters: [],
    history: [],
  });

  let reward;
  try {
    reward = compileReward(rewardSource, {
      stateFields: env.stateFields,
      timeoutMs: options.rewardTimeoutMs ?? 2000,
      seed: stringHash(`${trainingSeed}/reward-math-random`),
    });
  } catch (error) {
    if (error instanceof RewardError) return failed(error.kind, error.message);
    throw error;
  }

  const stride = transitionStride(env.stateFields.length);
  const episodesPerIteration = budget.cem.population * budget.episodesPerCandidate;
  const buffer = new Float64Array(episodesPerIteration * budget.maxStepsPerEpisode * stride);
  let rewardMs = 0;
  let result;
  try {
    result = trainCem(
      parameterCount(shape),
      budget.cem,
      streamOf(trainingSeed, 'cem'),
      (candidates, iteration) => {
        // Common random numbers: every candidate of an iteration starts from the same states.
        const starts = Array.from({ length: budget.episodesPerCandidate }, (_, e) =>
          env.reset(streamOf(trainingSeed, `train/${iteration}/${e}`)),
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
        const episodeReturns = reward.episodeReturns(buffer, count, ends);
        rewardMs += Date.now() - t0;
        if (rewardMs > rewardBudgetMs) {
          throw new RewardError(
            'timeout',
            `reward calls took ${rewardMs} ms in total, over the ${rewardBudgetMs} ms budget`,
          );
        }
        returns.push(episodeReturns);
        return candidateFitness(episodeReturns, candidates.length, budget.episodesPerCandidate);
      },
    );
  } catch (error) {
    if (error instanceof RewardError) return failed(error.kind, error.message);
    throw error;
  }
  return { returns, trainMs: Date.now() - started, policyParameters: result.mean, history: result.history };
}
