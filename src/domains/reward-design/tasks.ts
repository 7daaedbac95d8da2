/* REWARD_TASKS below is a table of task definitions: its entries share one shape by design. */
import type { CemConfig } from './cem';

/** Which part of the domain a task belongs to: trained on, or held out to test transfer. */
export type RewardTaskRole = 'train' | 'heldout';

export interface FieldDescription {
  readonly name: string;
  readonly description: string;
  /** Typical magnitude, so that shaping terms can be normalised. */
  readonly scale: number;
}

/** The true objective: mean over evaluation episodes of clip((R - low) / (high - low), 0, 1), R = Gymnasium return. */
export interface ObjectiveSpec {
  readonly low: number;
  readonly high: number;
  readonly description: string;
}

export interface TrainingBudget {
  /** Hidden tanh layers of the policy; [] is a linear policy. */
  readonly hidden: readonly number[];
  readonly cem: CemConfig;
  readonly episodesPerCandidate: number;
  readonly maxStepsPerEpisode: number;
}

export interface RewardTaskSpec {
  readonly id: string;
  readonly envId: string;
  readonly role: RewardTaskRole;
  readonly title: string;
  readonly description: string;
  readonly stateFields: readonly FieldDescription[];
  readonly actionDescription: string;
  readonly actionKind: 'discrete' | 'continuous';
  /** Gymnasium's reward, written as a reward function: the human baseline. */
  readonly defaultRewardSource: string;
  readonly objective: ObjectiveSpec;
  readonly training: TrainingBudget;
  readonly evaluationEpisodes: number;
}

const SIGNATURE_HELP =
  'reward(state, action, nextState, info): state and nextState are objects with the fields listed below, ' +
  'info = { terminated, truncated, step }; return a finite number.';

export const REWARD_TASKS: readonly RewardTaskSpec[] = [
  {
    id: 'cartpole-balance',
    envId: 'CartPole-v1',
    role: 'train',
    title: 'CartPole: keep the pole upright',
    description:
      'A pole is hinged on a cart that moves along a frictionless track. Each step the cart is pushed left ' +
      'or right with a force of 10 N (tau 0.02 s). The episode ends when the pole leans more than 12 degrees, ' +
      'the cart leaves [-2.4, 2.4], or after 500 steps. The goal is to balance for all 500 steps. ' +
      SIGNATURE_HELP,
    stateFields: [
      { name: 'x', description: 'cart position (m), episode fails beyond +-2.4', scale: 2.4 },
      { name: 'xDot', description: 'cart velocity (m/s)', scale: 2 },
      { name: 'theta', description: 'pole angle from vertical (rad), fails beyond +-0.2094', scale: 0.21 },
      { name: 'thetaDot', description: 'pole angular velocity (rad/s)', scale: 2 },
    ],
    actionDescription: 'discrete: 0 = push left, 1 = push right',
    actionKind: 'discrete',
    defaultRewardSource: 'function reward(state, action, nextState, info) {\n  return 1;\n}\n',
    objective: { low: 0, high: 500, description: 'fraction of the 500-step limit the pole stays up' },
    training: {
      hidden: [],
      cem: { population: 24, eliteFraction: 0.25, iterations: 12, initialStd: 1, extraNoise: 0.05 },
      episodesPerCandidate: 2,
      maxStepsPerEpisode: 500,
    },
    evaluationEpisodes: 10,
  },
  {
    id: 'mountain-car-continuous',
    envId: 'MountainCarContinuous-v0',
    role: 'train',
    title: 'Continuous mountain car: drive up the hill',
    description:
      'A car starts in a valley between two hills (position in [-0.6, -0.4], velocity 0). Its engine ' +
      '(force in [-1, 1], times 0.0015) is weaker than gravity, so it must swing back and forth to build ' +
      'momentum. The episode ends when the car reaches position 0.45 on the right hill, or after 999 steps. ' +
      'The goal is to reach the flag, spending as little force (sum of squared actions) as possible. ' +
      SIGNATURE_HELP,
    stateFields: [
      {
        name: 'position',
        description: 'position in [-1.2, 0.6]; valley bottom near -0.52, goal 0.45',
        scale: 0.9,
      },
      { name: 'velocity', description: 'velocity in [-0.07, 0.07]', scale: 0.07 },
    ],
    actionDescription: 'continuous: a number in [-1, 1] (negative pushes left)',
    actionKind: 'continuous',
    defaultRewardSource:
      'function reward(state, action, nextState, info) {\n' +
      '  return (info.terminated ? 100 : 0) - 0.1 * action * action;\n}\n',
    objective: { low: 0, high: 90, description: 'Gymnasium return against the solved threshold 90' },
    training: {
      hidden: [],
      cem: { population: 30, eliteFraction: 0.25, iterations: 12, initialStd: 1, extraNoise: 0.1 },
      episodesPerCandidate: 1,
      maxStepsPerEpisode: 999,
    },
    evaluationEpisodes: 10,
  },
  {
    id: 'pendulum-swingup',
    envId: 'Pendulum-v1',
    role: 'train',
    title: 'Pendulum: swing up and hold upright',
    description:
      'A pendulum hangs from a pivot; it starts at a random angle with a small random velocity. A torque in ' +
      '[-2, 2] is applied each step (dt 0.05 s), too weak to lift it directly, so it must be swung up and ' +
      'then held upright. Episodes last 200 steps. ' +
      SIGNATURE_HELP,
    stateFields: [
      { name: 'theta', description: 'angle in [-pi, pi), 0 = upright', scale: Math.PI },
      { name: 'thetaDot', description: 'angular velocity in [-8, 8] (rad/s)', scale: 8 },
    ],
    actionDescription: 'continuous: a torque in [-2, 2]',
    actionKind: 'continuous',
    defaultRewardSource:
      'function reward(state, action, nextState, info) {\n' +
      '  return -(state.theta ** 2 + 0.1 * state.thetaDot ** 2 + 0.001 * action ** 2);\n}\n',
    objective: { low: -1500, high: -200, description: 'Gymnasium return between -1500 and -200' },
    training: {
      hidden: [6],
      cem: { population: 40, eliteFraction: 0.2, iterations: 25, initialStd: 1, extraNoise: 0.05 },
      episodesPerCandidate: 3,
      maxStepsPerEpisode: 200,
    },
    evaluationEpisodes: 10,
  },
  {
    id: 'acrobot-swingup',
    envId: 'Acrobot-v1',
    role: 'heldout',
    title: 'Acrobot: swing the tip above the bar',
    description:
      'Two links hang in a chain from a fixed pivot; only the joint between them is actuated (torque -1, 0 ' +
      'or +1, dt 0.2 s). Starting near hanging down, the tip must be swung to a height of more than one link ' +
      'length above the pivot (-cos(theta1) - cos(theta1 + theta2) > 1), as fast as possible; episodes end ' +
      'there or after 500 steps. ' +
      SIGNATURE_HELP,
    stateFields: [
      {
        name: 'theta1',
        description: 'angle of the first link in [-pi, pi), 0 = hanging down',
        scale: Math.PI,
      },
      {
        name: 'theta2',
        description: 'angle of the second link relative to the first, [-pi, pi)',
        scale: Math.PI,
      },
      { name: 'dtheta1', description: 'angular velocity of the first link, [-4pi, 4pi]', scale: 4 * Math.PI },
      {
        name: 'dtheta2',
        description: 'angular velocity of the second link, [-9pi, 9pi]',
        scale: 9 * Math.PI,
      },
    ],
    actionDescription: 'discrete: 0 = torque -1, 1 = no torque, 2 = torque +1',
    actionKind: 'discrete',
    defaultRewardSource:
      'function reward(state, action, nextState, info) {\n  return info.terminated ? 0 : -1;\n}\n',
    objective: {
      low: -500,
      high: -100,
      description: 'Gymnasium return between -500 (never) and -100 (solved)',
    },
    training: {
      hidden: [],
      cem: { population: 40, eliteFraction: 0.25, iterations: 15, initialStd: 1, extraNoise: 0.05 },
      episodesPerCandidate: 1,
      maxStepsPerEpisode: 500,
    },
    evaluationEpisodes: 5,
  },
];

export function getRewardTask(id: string): RewardTaskSpec {
  const task = REWARD_TASKS.find((t) => t.id === id);
  if (!task)
    throw new Error(`unknown reward-design task '${id}'; known: ${REWARD_TASKS.map((t) => t.id).join(', ')}`);
  return task;
}
