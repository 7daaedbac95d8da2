import type { FieldDescription, RewardTaskSpec } from './tasks';

/** What the agent is shown for a reward-design task. Nothing in it is secret; it has no label. */
export interface RewardTaskInput {
  readonly taskId: string;
  readonly envId: string;
  readonly title: string;
  readonly description: string;
  readonly stateFields: readonly FieldDescription[];
  readonly action: { readonly kind: 'discrete' | 'continuous'; readonly description: string };
  /** The environment's own (human-designed) reward, written as a reward function. */
  readonly defaultRewardSource: string;
  /** How the written reward is used, so the agent knows what it is optimising for. */
  readonly evaluation: string;
}

export const REWARD_FUNCTION_CONTRACT =
  'Return JavaScript source that defines `function reward(state, action, nextState, info)` returning a finite ' +
  'number. It may define helpers; it has no access to modules, timers or I/O, and Math.random is seeded.';

export function rewardTaskInput(spec: RewardTaskSpec): RewardTaskInput {
  return {
    taskId: spec.id,
    envId: spec.envId,
    title: spec.title,
    description: spec.description,
    stateFields: spec.stateFields,
    action: { kind: spec.actionKind, description: spec.actionDescription },
    defaultRewardSource: spec.defaultRewardSource,
    evaluation:
      `A ${spec.training.hidden.length === 0 ? 'linear' : 'small neural'} policy is trained by the cross-entropy ` +
      `method to maximise the episode sum of your reward (${spec.training.cem.iterations} iterations of ` +
      `${spec.training.cem.population} candidates), then scored on the task's true objective: ` +
      `${spec.objective.description}. ${REWARD_FUNCTION_CONTRACT}`,
  };
}
