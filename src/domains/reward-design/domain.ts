/** reward-design as an engine `Domain`: a thin adapter over the tasks, the runner and the host-side scorer. */
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
import { scorePolicy, type RewardEvaluation } from './evaluate';
import { localProcessRunner } from './local-runner';
import { RUNNER_ENTRY, runnerFiles } from './runner-files';
import type { RunnerRequest } from './runner';
import { rewardTaskInput, REWARD_FUNCTION_CONTRACT, type RewardTaskInput } from './task-input';
import { REWARD_TASKS, type RewardTaskRole } from './tasks';

/** Not secret: which environment task and which training seed. Kept host-side like any label. */
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

/** Host-side verdict from an evaluation (wherever it ran): re-score the returned policy on the host. */
export function verdictFromEvaluation(
  label: RewardDesignLabel,
  evaluation: Pick<RewardEvaluation, 'score' | 'details'>,
): TaskScore {
  const { details } = evaluation;
  if (details.failure) {
    return { score: 0, details: { failure: details.failure.kind, reason: details.failure.reason } };
  }
  const host = scorePolicy(label.taskId, details.policyParameters, label.seed);
  return {
    score: host.score,
    details: {
      taskId: label.taskId,
      trainMs: details.trainMs,
      episodeSteps: host.episodes.map((e) => e.steps),
      // The evaluation process is untrusted; a different score there means tampering or nondeterminism.
      ...(Math.abs(host.score - evaluation.score) > 1e-9 ? { reportedScoreMismatch: evaluation.score } : {}),
    },
  };
}

async function evaluateInSandbox(
  run: UntrustedRunner,
  request: RunnerRequest,
  timeoutMs: number,
): Promise<Pick<RewardEvaluation, 'score' | 'details'> | { error: string }> {
  const result = await run({
    files: { ...runnerFiles(), 'request.json': JSON.stringify(request) },
    command: ['node', RUNNER_ENTRY, 'request.json'],
    timeoutMs,
  });
  if (result.timedOut) return { error: `evaluation exceeded ${timeoutMs} ms in the sandbox` };
  if (result.exitCode !== 0)
    return { error: `runner exited with ${result.exitCode}: ${result.stderr.slice(-500)}` };
  try {
    const parsed = JSON.parse(result.stdout) as Pick<RewardEvaluation, 'score' | 'details'>;
    if (typeof parsed.score !== 'number' || typeof parsed.details !== 'object' || parsed.details === null) {
      return { error: 'runner output lacks score/details' };
    }
    const params: unknown = parsed.details.policyParameters;
    if (!parsed.details.failure && !(Array.isArray(params) && params.every((p) => typeof p === 'number'))) {
      return { error: 'runner output lacks numeric policyParameters' };
    }
    return parsed;
  } catch (error) {
    return { error: `runner output is not JSON: ${(error as Error).message}` };
  }
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
      const request: RunnerRequest = { task: label.taskId, rewardSource: prediction, seed: label.seed };
      if (context.runUntrusted !== undefined) {
        const outcome = await evaluateInSandbox(context.runUntrusted, request, options.sandboxTimeoutMs);
        if ('error' in outcome) return { score: 0, details: { failure: 'sandbox', reason: outcome.error } };
        return verdictFromEvaluation(label, outcome);
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
      const local = await evaluateInSandbox(localProcessRunner, request, options.sandboxTimeoutMs);
      if ('error' in local) return { score: 0, details: { failure: 'runner', reason: local.error } };
      return verdictFromEvaluation(label, local);
    },

    aggregate(perTask: readonly TaskScore[]): Metrics {
      const failures = perTask.filter((t) => t.details?.failure !== undefined).length;
      return { score: meanScore(perTask), failureRate: perTask.length === 0 ? 0 : failures / perTask.length };
    },
  };
}

export const rewardDesignDomain = createRewardDesignDomain();
