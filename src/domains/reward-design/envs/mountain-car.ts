import { clip, type Env } from './types';
import type { Rng } from '../../../util/random';

// MountainCar-v0 and MountainCarContinuous-v0 share bounds and the inelastic left wall.
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GRAVITY = 0.0025;

const reset = (rng: Rng): number[] => [rng.uniform(-0.6, -0.4), 0];

function integrate(position: number, velocity: number, thrust: number): [number, number] {
  let v = clip(velocity + thrust - Math.cos(3 * position) * GRAVITY, -MAX_SPEED, MAX_SPEED);
  const p = clip(position + v, MIN_POSITION, MAX_POSITION);
  if (p === MIN_POSITION && v < 0) v = 0;
  return [p, v];
}

const shared = {
  stateFields: ['position', 'velocity'],
  observationOffset: [-0.3, 0],
  observationScale: [0.9, MAX_SPEED],
  reset,
  observe: (state: readonly number[]) => [...state],
  rewardView: (state: readonly number[]) => [...state],
} as const;

/** State: [position, velocity]; actions 0 push left, 1 no push, 2 push right. */
export const mountainCar: Env = {
  ...shared,
  id: 'MountainCar-v0',
  actionSpace: { kind: 'discrete', n: 3 },
  maxEpisodeSteps: 200,
  step([position = 0, velocity = 0], action) {
    const state = integrate(position, velocity, (action - 1) * 0.001);
    return { state, terminated: state[0] >= 0.5 && state[1] >= 0 };
  },
  defaultReward: () => -1,
};

export const CONTINUOUS_GOAL_POSITION = 0.45;

/** State: [position, velocity]; action is a force in [-1, 1] scaled by power 0.0015. */
export const mountainCarContinuous: Env = {
  ...shared,
  id: 'MountainCarContinuous-v0',
  actionSpace: { kind: 'continuous', low: -1, high: 1 },
  maxEpisodeSteps: 999,
  step([position = 0, velocity = 0], action) {
    const state = integrate(position, velocity, clip(action, -1, 1) * 0.0015);
    return { state, terminated: state[0] >= CONTINUOUS_GOAL_POSITION && state[1] >= 0 };
  },
  defaultReward: (_state, action, _next, terminated) => (terminated ? 100 : 0) - 0.1 * action * action,
};
