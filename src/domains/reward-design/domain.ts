/**
 * reward-design as an engine `Domain`: a thin adapter over the tasks, the runner and the host-side scorer.
 *
 * Trust split. The agent's reward runs in one sandbox session together with the trainer (runner.ts:
 * CEM rollouts, the reward applied to each training episode). `node:vm` inside it is no boundary:
 * the reward can own that process, read its inputs and print anything. So the session receives the
 * training seed only, and the host takes from its output nothing but the reward value of each
 * training episode: it replays CEM from those values (cheap: CEM's candidates depend only on its
 * seeded stream and the fitness ranking, no rollout is needed) and scores the resulting policy on
 * evaluation episodes of `label.seed`, which no session receives. Forged output can therefore buy
 * exactly what a reward function returning those values could, and no more. Chosen over a
 * step-by-step reward process (observations in, a number out) because it needs no interactive
 * sandbox protocol and one session per task, and over re-scoring a returned policy, which would let
 * the reward hand in any policy.
 */
import { stringHash } from '../../util/hash';
import {
  meanScore,
  SPLITS,
  type Domain,
  type LoadOptions,
  type LoadedTasks,
  type Metrics,
  type ScoreContext,
  type Split,
  type Task,
  type TaskScore,
  type UntrustedRunner,
} from '../contract';
import { replayTraining, scorePolicy, trainingSeedFor } from './evaluate';
import { localProcessRunner } from './local-runner';
import { RUNNER_ENTRY, runnerFiles } from './runner-files';
import type { RunnerRequest } from './runner';
import { rewardTaskInput, REWARD_FUNCTION_CONTRACT, type RewardTaskInput } from './task-input';
import { REWARD_TASKS, type RewardTaskRole } from './tasks';

/**
 * Which environment task, and the seed of its evaluation episodes. The seed is a held-out label:
 * it never enters a sandbox (the session trains with `trainingSeedFor(seed)`).
 */
export interface RewardDesignLabel {
  readonly taskId: string;
  readonly seed: number;
}

export interface RewardDesignOptions {
  /** Tasks per split; each task is one (environment task, seed) pair, cycling over the environment tasks. */
  readonly sizes: Readonly<Record<Split, number>>;
  /**
   * Without a sandbox (`ScoreContext.runUntrusted`), run the runner as a plain child process of the
   * host (`localProcessRunner`; contains crashes and hangs, not malice). Off by default; for tests
   * and local trials.
   */
  readonly allowHostExecution: boolean;
  readonly sandboxTimeoutMs: number;
}

export const DEFAULT_REWARD_DESIGN_OPTIONS: RewardDesignOptions = {
  sizes: { train: 6, val: 6, test: 4 },
  allowHostExecution: false,
  sandboxTimeoutMs: 60_000,
};

// Train and validation use the training environments (disjoint seeds); test is the held-out
// environment, as the paper trains on walking and tests on hopping.
const SPLIT_ROLES: Readonly<Record<Split, RewardTaskRole>> = {
  train: 'train',
  val: 'train',
  test: 'heldout',
};

const DESCRIPTION = `Reward design for classic-control robotics tasks (Gymnasium dynamics, reimplemented).
Input: { taskId, envId, title, description, stateFields: [{ name, description, scale }], action: { kind, description },
defaultRewardSource, evaluation }. The prediction is a string: ${REWARD_FUNCTION_CONTRACT}
The host trains a policy with your reward only, then scores the trained policy on the task's true objective
(in [0, 1]); your reward never computes the score. defaultRewardSource is the human-designed baseline.`;

export function rewardDesignTasks(split: Split, size: number): Task<RewardTaskInput>[] {
  const specs = REWARD_TASKS.filter((t) => t.role === SPLIT_ROLES[split]);
  if (specs.length === 0) return [];
  return Array.from({ length: size }, (_, k) => {
    const spec = specs[k % specs.length] as (typeof specs)[number];
    return { id: `${spec.id}#${split}-${Math.floor(k / specs.length)}`, input: rewardTaskInput(spec) };
  });
}

function labelFor(split: Split, k: number, taskId: string, loadSeed: number): RewardDesignLabel {
  return { taskId, seed: stringHash(`${loadSeed}/${split}/${k}`) };
}

/** What a training session reported, checked for shape only: every value in it is untrusted. */
export interface TrainingReport {
  readonly returns: unknown;
  readonly trainMs?: number;
  readonly failure?: { readonly kind: string; readonly reason: string };
}

const clipText = (text: string): string => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

/**
 * Host-side verdict from a training session's report (wherever it ran). Only `returns`, the reward
 * values of the training episodes, is used: CEM is replayed from them on the host and the policy is
 * scored on episodes of the label's seed, which the session never received. A reported failure
 * (true or forged) scores 0, like any malformed report.
 */
export function verdictFromTraining(label: RewardDesignLabel, report: TrainingReport): TaskScore {
  if (report.failure) {
    return {
      score: 0,
      details: { failure: clipText(report.failure.kind), reason: clipText(report.failure.reason) },
    };
  }
  const replayed = replayTraining(label.taskId, trainingSeedFor(label.seed), report.returns);
  if ('error' in replayed) {
    return { score: 0, details: { failure: 'sandbox', reason: `runner output: ${replayed.error}` } };
  }
  const host = scorePolicy(label.taskId, replayed.policy, label.seed);
  return {
    score: host.score,
    details: {
      taskId: label.taskId,
      ...(typeof report.trainMs === 'number' ? { trainMs: report.trainMs } : {}),
      episodeSteps: host.episodes.map((e) => e.steps),
    },
  };
}

/** Runs the training half in `run` (the sandbox); the request holds the training seed only. */
async function trainInSandbox(
  run: UntrustedRunner,
  request: RunnerRequest,
  timeoutMs: number,
): Promise<TrainingReport | { error: string }> {
  const result = await run({
    files: { ...runnerFiles(), 'request.json': JSON.stringify(request) },
    command: ['node', RUNNER_ENTRY, 'request.json'],
    timeoutMs,
  });
  if (result.timedOut) return { error: `evaluation exceeded ${timeoutMs} ms in the sandbox` };
  if (result.exitCode !== 0)
    return { error: `runner exited with ${result.exitCode}: ${result.stderr.slice(-500)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch (error) {
    return { error: `runner output is not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null) return { error: 'runner output is not an object' };
  const { returns, trainMs, failure } = parsed as Record<string, unknown>;
  const f = failure as Record<string, unknown> | undefined;
  if (f !== undefined && (typeof f !== 'object' || f === null || typeof f.kind !== 'string')) {
    return { error: 'runner output has a malformed failure' };
  }
  return {
    returns,
    ...(typeof trainMs === 'number' && Number.isFinite(trainMs) ? { trainMs } : {}),
    ...(f ? { failure: { kind: String(f.kind), reason: String(f.reason) } } : {}),
  };
}

export function createRewardDesignDomain(
  overrides: Partial<RewardDesignOptions> = {},
): Domain<RewardTaskInput, RewardDesignLabel> {
  const options: RewardDesignOptions = { ...DEFAULT_REWARD_DESIGN_OPTIONS, ...overrides };
  return {
    name: 'reward-design',
    // Each task trains a policy (about a second); a small stage is enough to reject broken rewards.
    staged: { sampleSize: 3, gate: 0 },
    describe: () => DESCRIPTION,

    async loadTasks(load: LoadOptions = {}): Promise<LoadedTasks<RewardTaskInput, RewardDesignLabel>> {
      const loadSeed = load.seed ?? 0;
      const labels = new Map<string, RewardDesignLabel>();
      const splits = {} as Record<Split, Task<RewardTaskInput>[]>;
      for (const split of SPLITS) {
        const size = load.sizes?.[split] ?? options.sizes[split];
        splits[split] = rewardDesignTasks(split, size);
        splits[split].forEach((task, k) =>
          labels.set(task.id, labelFor(split, k, task.input.taskId, loadSeed)),
        );
      }
      return { splits, labels };
    },

    async score(prediction: unknown, label: RewardDesignLabel, context: ScoreContext): Promise<TaskScore> {
      if (typeof prediction !== 'string' || prediction.trim() === '') {
        return {
          score: 0,
          details: { failure: 'prediction', reason: 'prediction must be reward source text' },
        };
      }
      // The session gets the training seed only; label.seed (the evaluation episodes) stays here.
      const request: RunnerRequest = {
        task: label.taskId,
        rewardSource: prediction,
        trainingSeed: trainingSeedFor(label.seed),
      };
      if (context.runUntrusted !== undefined) {
        const outcome = await trainInSandbox(context.runUntrusted, request, options.sandboxTimeoutMs);
        if ('error' in outcome) return { score: 0, details: { failure: 'sandbox', reason: outcome.error } };
        return verdictFromTraining(label, outcome);
      }
      if (!options.allowHostExecution) {
        return {
          score: 0,
          details: {
            failure: 'sandbox',
            reason: 'no sandbox available (ScoreContext.runUntrusted is missing)',
          },
        };
      }
      const local = await trainInSandbox(localProcessRunner, request, options.sandboxTimeoutMs);
      if ('error' in local) return { score: 0, details: { failure: 'runner', reason: local.error } };
      return verdictFromTraining(label, local);
    },

    aggregate(perTask: readonly TaskScore[]): Metrics {
      const failures = perTask.filter((t) => t.details?.failure !== undefined).length;
      return { score: meanScore(perTask), failureRate: perTask.length === 0 ? 0 : failures / perTask.length };
    },
  };
}

export const rewardDesignDomain = createRewardDesignDomain();
