import { clip, wrapAngle, type Env } from './types';

// Acrobot-v1 with the "book" dynamics (Sutton & Barto), one RK4 step of dt 0.2 per action. Each
// environment names Gymnasium's physical constants in its own file, so the lists look alike.
const DT = 0.2;
const LINK_LENGTH_1 = 1;
const MASS_1 = 1;
const MASS_2 = 1;
const COM_1 = 0.5;
const COM_2 = 0.5;
const MOI = 1;
const G = 9.8;
const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;
const TORQUES = [-1, 0, 1] as const;

/** Time derivative of [theta1, theta2, dtheta1, dtheta2] under a torque on the second joint. */
export function acrobotDerivatives(s: readonly number[], torque: number): number[] {
  const [theta1 = 0, theta2 = 0, dtheta1 = 0, dtheta2 = 0] = s;
  const d1 =
    MASS_1 * COM_1 ** 2 +
    MASS_2 * (LINK_LENGTH_1 ** 2 + COM_2 ** 2 + 2 * LINK_LENGTH_1 * COM_2 * Math.cos(theta2)) +
    2 * MOI;
  const d2 = MASS_2 * (COM_2 ** 2 + LINK_LENGTH_1 * COM_2 * Math.cos(theta2)) + MOI;
  const phi2 = MASS_2 * COM_2 * G * Math.cos(theta1 + theta2 - Math.PI / 2);
  const phi1 =
    -MASS_2 * LINK_LENGTH_1 * COM_2 * dtheta2 ** 2 * Math.sin(theta2) -
    2 * MASS_2 * LINK_LENGTH_1 * COM_2 * dtheta2 * dtheta1 * Math.sin(theta2) +
    (MASS_1 * COM_1 + MASS_2 * LINK_LENGTH_1) * G * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddtheta2 =
    (torque + (d2 / d1) * phi1 - MASS_2 * LINK_LENGTH_1 * COM_2 * dtheta1 ** 2 * Math.sin(theta2) - phi2) /
    (MASS_2 * COM_2 ** 2 + MOI - d2 ** 2 / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return [dtheta1, dtheta2, ddtheta1, ddtheta2];
}

/** One classical Runge-Kutta step of size h for y' = f(y). */
export function rk4Step(f: (y: readonly number[]) => number[], y: readonly number[], h: number): number[] {
  const shift = (base: readonly number[], k: readonly number[], scale: number): number[] =>
    base.map((v, i) => v + scale * (k[i] ?? 0));
  const k1 = f(y);
  const k2 = f(shift(y, k1, h / 2));
  const k3 = f(shift(y, k2, h / 2));
  const k4 = f(shift(y, k3, h));
  return y.map((v, i) => v + (h / 6) * ((k1[i] ?? 0) + 2 * (k2[i] ?? 0) + 2 * (k3[i] ?? 0) + (k4[i] ?? 0)));
}

/** Height of the tip above the pivot, in link lengths; the goal is > 1. */
export function acrobotTipHeight([theta1 = 0, theta2 = 0]: readonly number[]): number {
  return -Math.cos(theta1) - Math.cos(theta1 + theta2);
}

/** State: [theta1, theta2, dtheta1, dtheta2] (theta1 = 0 hangs down); actions 0/1/2 = torque -1/0/+1. */
export const acrobot: Env = {
  id: 'Acrobot-v1',
  actionSpace: { kind: 'discrete', n: 3 },
  maxEpisodeSteps: 500,
  stateFields: ['theta1', 'theta2', 'dtheta1', 'dtheta2'],
  observationOffset: [0, 0, 0, 0, 0, 0],
  observationScale: [1, 1, 1, 1, MAX_VEL_1 / 2, MAX_VEL_2 / 2],
  reset: (rng) => [0, 0, 0, 0].map(() => rng.uniform(-0.1, 0.1)),
  step(state, action) {
    const torque = TORQUES[action] ?? 0;
    const [t1 = 0, t2 = 0, v1 = 0, v2 = 0] = rk4Step((y) => acrobotDerivatives(y, torque), state, DT);
    const next = [
      wrapAngle(t1),
      wrapAngle(t2),
      clip(v1, -MAX_VEL_1, MAX_VEL_1),
      clip(v2, -MAX_VEL_2, MAX_VEL_2),
    ];
    return { state: next, terminated: acrobotTipHeight(next) > 1 };
  },
  observe: ([t1 = 0, t2 = 0, v1 = 0, v2 = 0]) => [
    Math.cos(t1),
    Math.sin(t1),
    Math.cos(t2),
    Math.sin(t2),
    v1,
    v2,
  ],
  rewardView: (state) => [...state],
  defaultReward: (_state, _action, _next, terminated) => (terminated ? 0 : -1),
};
