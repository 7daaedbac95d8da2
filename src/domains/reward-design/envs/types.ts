import type { Rng } from '../../../util/random';

export type ActionSpace =
  | { readonly kind: 'discrete'; readonly n: number }
  | { readonly kind: 'continuous'; readonly low: number; readonly high: number };

export interface StepResult {
  readonly state: readonly number[];
  /** The environment's own terminal condition (not the time limit). */
  readonly terminated: boolean;
}

/**
 * A classic-control environment as a set of pure functions over a plain state vector.
 * `action` is an index for discrete spaces and a scalar (clipped by the env) for continuous ones.
 */
export interface Env {
  readonly id: string;
  readonly actionSpace: ActionSpace;
  /** Time limit of the registered Gymnasium environment. */
  readonly maxEpisodeSteps: number;
  /** Names of the fields of the state object a reward function receives, in `rewardView` order. */
  readonly stateFields: readonly string[];
  /** Observation normalisation for policies: feature = (obs - offset) / scale. */
  readonly observationOffset: readonly number[];
  readonly observationScale: readonly number[];
  reset(rng: Rng): number[];
  step(state: readonly number[], action: number): StepResult;
  /** Gymnasium's observation vector (what a policy sees). */
  observe(state: readonly number[]): number[];
  /** Values of `stateFields` (what a reward function sees). */
  rewardView(state: readonly number[]): number[];
  /** Gymnasium's own reward, computed on the host; used for the true objective, never for training. */
  defaultReward(
    state: readonly number[],
    action: number,
    next: readonly number[],
    terminated: boolean,
  ): number;
}

export function clip(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** Wraps an angle into [-pi, pi). */
export function wrapAngle(angle: number): number {
  const turn = 2 * Math.PI;
  return angle - turn * Math.floor((angle + Math.PI) / turn);
}
