/**
 * The host's half of an evaluation: it never runs the agent's reward. From the reward values a
 * training run reported (`TrainingRun.returns`, produced in the sandbox) it replays CEM itself and
 * scores the resulting policy on evaluation episodes drawn from a seed that no sandbox receives.
 */
import { createHash } from 'node:crypto';
import { trainCem, type CemIteration } from './cem';
import { getEnv } from './envs/registry';
import { parameterCount, policyShape } from './policy';
import { runEpisode, type EpisodeOutcome } from './rollout';
import { getRewardTask, type RewardTaskSpec } from './tasks';
import {
  candidateFitness,
  streamOf,
  trainWithReward,
  type TrainingFailureKind,
  type TrainingOptions,
} from './training';

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
  /** The evaluation (label) seed. Training used `trainingSeedFor(seed)`. */
  readonly seed: number;
  /** True objective of the trained policy in [0, 1]; 0 when the reward function failed. */
  readonly score: number;
  readonly details: {
    readonly envId: string;
    /** Why the score is 0 without training, when the reward function could not be used. */
    readonly failure?: { readonly kind: TrainingFailureKind; readonly reason: string };
    readonly trainMs: number;
    readonly scoreMs: number;
    /** The policy replayed from the training's reward values (what was scored). */
    readonly policyParameters: readonly number[];
    /** Fitness under the agent's reward per CEM iteration (not comparable across rewards). */
    readonly training: readonly CemIteration[];
    readonly evaluation?: PolicyScore;
  };
}

export type EvaluateOptions = TrainingOptions;

const clip01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * The seed a sandbox trains with, from the host-only evaluation seed. One-way (SHA-256), so the
 * reward code, which can read everything its session holds, cannot compute the evaluation episodes
 * from it short of trying all 2^32 evaluation seeds.
 */
export function trainingSeedFor(evaluationSeed: number): number {
  return createHash('sha256').update(`reward-design/training/${evaluationSeed}`).digest().readUInt32BE(0);
}

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
 * Host-only: the policy CEM reaches from `trainingSeed` when the training episodes' reward values
 * are `returns` (as `trainWithReward` reports them). Needs no rollout: CEM's candidates depend only
 * on its seeded stream and on the fitness ranking. Returns a reason instead when `returns` is not
 * one finite number per training episode of every iteration.
 */
export function replayTraining(
  taskOrId: RewardTaskSpec | string,
  trainingSeed: number,
  returns: unknown,
): { policy: number[]; history: CemIteration[] } | { error: string } {
  const task = typeof taskOrId === 'string' ? getRewardTask(taskOrId) : taskOrId;
  const { cem, episodesPerCandidate } = task.training;
  const perIteration = cem.population * episodesPerCandidate;
  if (!Array.isArray(returns) || returns.length !== cem.iterations) {
    return { error: `returns must list ${cem.iterations} iterations` };
  }
  for (const row of returns as unknown[]) {
    if (
      !Array.isArray(row) ||
      row.length !== perIteration ||
      !row.every((r) => typeof r === 'number' && Number.isFinite(r))
    ) {
      return { error: `each iteration's returns must be ${perIteration} finite numbers` };
    }
  }
  const rows = returns as number[][];
  const shape = policyShape(getEnv(task.envId), task.training.hidden);
  const { mean, history } = trainCem(parameterCount(shape), cem, streamOf(trainingSeed, 'cem'), (_, it) =>
    candidateFitness(rows[it] ?? [], cem.population, episodesPerCandidate),
  );
  return { policy: mean, history };
}

/**
 * The domain's whole evaluation in this process, for tests, benches and trusted rewards only (the
 * reward runs here, unsandboxed): train with `trainingSeedFor(seed)`, replay, score on `seed`.
 * Deterministic given (task, source, seed) unless a time limit trips.
 */
export function evaluateReward(
  taskOrId: RewardTaskSpec | string,
  rewardSource: string,
  seed: number,
  options: EvaluateOptions = {},
): RewardEvaluation {
  const task = typeof taskOrId === 'string' ? getRewardTask(taskOrId) : taskOrId;
  const trainingSeed = trainingSeedFor(seed);
  const run = trainWithReward(task, rewardSource, trainingSeed, options);
  const base = { taskId: task.id, seed };
  const replayed = run.failure ? undefined : replayTraining(task, trainingSeed, run.returns);
  if (replayed === undefined || 'error' in replayed) {
    const failure = run.failure ?? {
      kind: 'runtime' as const,
      reason: replayed?.error ?? 'training produced no returns',
    };
    return {
      ...base,
      score: 0,
      details: {
        envId: task.envId,
        failure,
        trainMs: run.trainMs,
        scoreMs: 0,
        policyParameters: [],
        training: [],
      },
    };
  }
  const scoring = Date.now();
  const evaluation = scorePolicy(task, replayed.policy, seed);
  return {
    ...base,
    score: evaluation.score,
    details: {
      envId: task.envId,
      trainMs: run.trainMs,
      scoreMs: Date.now() - scoring,
      policyParameters: replayed.policy,
      training: replayed.history,
      evaluation,
    },
  };
}
