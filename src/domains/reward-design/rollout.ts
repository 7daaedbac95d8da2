import type { Env } from './envs/types';
import { act, type PolicyShape } from './policy';
import type { RewardInfo } from './reward-sandbox';

export interface EpisodeOutcome {
  readonly steps: number;
  /** Return under the environment's own (Gymnasium) reward, computed on the host. */
  readonly trueReturn: number;
  readonly terminated: boolean;
}

export type TransitionSink = (
  stateView: readonly number[],
  action: number,
  nextView: readonly number[],
  info: RewardInfo,
) => void;

/** Runs one episode from `initial` until termination or `maxSteps`. */
export function runEpisode(
  env: Env,
  shape: PolicyShape,
  params: ArrayLike<number>,
  initial: readonly number[],
  maxSteps: number,
  sink?: TransitionSink,
): EpisodeOutcome {
  let state = initial;
  let view = env.rewardView(state);
  let trueReturn = 0;
  for (let step = 0; step < maxSteps; step++) {
    const action = act(shape, params, env.observe(state));
    const { state: next, terminated } = env.step(state, action);
    trueReturn += env.defaultReward(state, action, next, terminated);
    const nextView = env.rewardView(next);
    const truncated = !terminated && step + 1 === maxSteps;
    sink?.(view, action, nextView, { terminated, truncated, step });
    if (terminated) return { steps: step + 1, trueReturn, terminated: true };
    state = next;
    view = nextView;
  }
  return { steps: maxSteps, trueReturn, terminated: false };
}
