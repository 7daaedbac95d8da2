import type { Env } from './types';

// CartPole-v1 (Gymnasium classic control): Florian (2005) equations, explicit Euler, tau 0.02.
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_CART + MASS_POLE;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
export const CARTPOLE_X_LIMIT = 2.4;
export const CARTPOLE_THETA_LIMIT = (12 * 2 * Math.PI) / 360;

/** State: [x, xDot, theta, thetaDot]; action 0 pushes left, 1 pushes right. */
export const cartPole: Env = {
  id: 'CartPole-v1',
  actionSpace: { kind: 'discrete', n: 2 },
  maxEpisodeSteps: 500,
  stateFields: ['x', 'xDot', 'theta', 'thetaDot'],
  observationOffset: [0, 0, 0, 0],
  observationScale: [CARTPOLE_X_LIMIT, 2, CARTPOLE_THETA_LIMIT, 2],
  reset: (rng) => [0, 0, 0, 0].map(() => rng.uniform(-0.05, 0.05)),
  step([x = 0, xDot = 0, theta = 0, thetaDot = 0], action) {
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
    const thetaAcc =
      (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4 / 3 - (MASS_POLE * cos * cos) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    // Explicit Euler: positions advance with the old velocities.
    const next = [x + TAU * xDot, xDot + TAU * xAcc, theta + TAU * thetaDot, thetaDot + TAU * thetaAcc];
    const [nx = 0, , nTheta = 0] = next;
    const terminated = Math.abs(nx) > CARTPOLE_X_LIMIT || Math.abs(nTheta) > CARTPOLE_THETA_LIMIT;
    return { state: next, terminated };
  },
  observe: (state) => [...state],
  rewardView: (state) => [...state],
  // +1 for every step taken, the terminating one included.
  defaultReward: () => 1,
};
