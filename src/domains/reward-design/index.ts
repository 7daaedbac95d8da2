/**
 * reward-design: the paper's robotics domain on a CPU. The agent writes a reward function for a
 * classic-control task; the host trains a policy with it (seeded CEM) and scores the policy on the
 * task's true objective. Production evaluates the reward inside the sandbox (runner.ts) and
 * re-scores the returned policy on the host; `compileReward` (node:vm) is for host-side tests.
 */
export { rewardDesignDomain as domain, rewardDesignDomain, createRewardDesignDomain } from './domain';
export type { RewardDesignLabel, RewardDesignOptions } from './domain';
export { rewardDesignTasks, verdictFromEvaluation, DEFAULT_REWARD_DESIGN_OPTIONS } from './domain';
export { evaluateReward, scorePolicy } from './evaluate';
export type { EvaluateOptions, PolicyScore, RewardEvaluation } from './evaluate';
export { compileReward, RewardError } from './reward-sandbox';
export type { CompiledReward, CompileRewardOptions, RewardInfo } from './reward-sandbox';
export { REWARD_TASKS, getRewardTask } from './tasks';
export type { RewardTaskSpec, ObjectiveSpec, TrainingBudget } from './tasks';
export { rewardTaskInput, REWARD_FUNCTION_CONTRACT } from './task-input';
export type { RewardTaskInput } from './task-input';
export { buildRewardSource, mutateRewardWeights, NEUTRAL_TEMPLATE_WEIGHTS } from './template';
export type { RewardTemplateWeights } from './template';
export { handleRunnerRequest, parseRunnerRequest } from './runner';
export type { RunnerRequest } from './runner';
export { runnerFiles, RUNNER_ENTRY } from './runner-files';
export { ENVS, getEnv } from './envs/registry';
export type { Env, ActionSpace } from './envs/types';
export { trainCem } from './cem';
export type { CemConfig } from './cem';
export { localProcessRunner } from './local-runner';
