/**
 * reward-design: the paper's robotics domain on a CPU. The agent writes a reward function for a
 * classic-control task; a policy is trained with it (seeded CEM) and scored on the task's true
 * objective. Production trains inside the sandbox (runner.ts, training.ts), takes back only the
 * reward values of the training episodes, replays CEM from them on the host and scores the policy
 * on evaluation episodes the sandbox never saw (evaluate.ts). `compileReward` (node:vm) contains
 * honest mistakes, not malice; nothing relies on it.
 */
export { rewardDesignDomain as domain, rewardDesignDomain, createRewardDesignDomain } from './domain';
export type { RewardDesignLabel, RewardDesignOptions } from './domain';
export { rewardDesignTasks, verdictFromTraining, DEFAULT_REWARD_DESIGN_OPTIONS } from './domain';
export type { TrainingReport } from './domain';
export { evaluateReward, replayTraining, scorePolicy, trainingSeedFor } from './evaluate';
export { trainWithReward } from './training';
export type { TrainingOptions, TrainingRun } from './training';
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
export { simulatorSource, simulatorTask } from './simulator';
export type { SimulatorTask } from './simulator';
