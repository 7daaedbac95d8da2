import { clip, wrapAngle, type Env } from './types';

// Pendulum-v1: theta 0 is upright; semi-implicit Euler (velocity first, then angle with the new velocity).
const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const G = 10;
const MASS = 1;
const LENGTH = 1;

/** State: [theta (unbounded), thetaDot]; action is a torque in [-2, 2]. */
export const pendulum: Env = {
  id: 'Pendulum-v1',
  actionSpace: { kind: 'continuous', low: -MAX_TORQUE, high: MAX_TORQUE },
  maxEpisodeSteps: 200,
  stateFields: ['theta', 'thetaDot'],
  observationOffset: [0, 0, 0],
  observationScale: [1, 1, MAX_SPEED],
  reset: (rng) => [rng.uniform(-Math.PI, Math.PI), rng.uniform(-1, 1)],
  step([theta = 0, thetaDot = 0], action) {
    const u = clip(action, -MAX_TORQUE, MAX_TORQUE);
    const acc = ((3 * G) / (2 * LENGTH)) * Math.sin(theta) + (3 / (MASS * LENGTH * LENGTH)) * u;
    const newThetaDot = clip(thetaDot + acc * DT, -MAX_SPEED, MAX_SPEED);
    return { state: [theta + newThetaDot * DT, newThetaDot], terminated: false };
  },
  observe: ([theta = 0, thetaDot = 0]) => [Math.cos(theta), Math.sin(theta), thetaDot],
  // Reward functions see the angle wrapped to [-pi, pi), as Gymnasium's cost does.
  rewardView: ([theta = 0, thetaDot = 0]) => [wrapAngle(theta), thetaDot],
  defaultReward([theta = 0, thetaDot = 0], action) {
    const u = clip(action, -MAX_TORQUE, MAX_TORQUE);
    const th = wrapAngle(theta);
    return -(th * th + 0.1 * thetaDot * thetaDot + 0.001 * u * u);
  },
};
