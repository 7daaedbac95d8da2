import {
  acrobot,
  acrobotDerivatives,
  acrobotTipHeight,
  rk4Step,
} from '../../../src/domains/reward-design/envs/acrobot';
import { cartPole } from '../../../src/domains/reward-design/envs/cartpole';
import { mountainCar, mountainCarContinuous } from '../../../src/domains/reward-design/envs/mountain-car';
import { pendulum } from '../../../src/domains/reward-design/envs/pendulum';
import { ENVS } from '../../../src/domains/reward-design/envs/registry';
import { rngFromSeed } from '../../../src/util/random';

const expectVector = (actual: readonly number[], expected: readonly number[], digits = 6): void => {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
};

describe('CartPole-v1', () => {
  it('pushes right from rest as the Florian equations say', () => {
    // temp = 10 / 1.1 = 9.0909091
    // thetaAcc = -temp / (0.5 * (4/3 - 0.1/1.1)) = -9.0909091 / 0.6212121 = -14.6341463
    // xAcc = temp - 0.05 * thetaAcc / 1.1 = 9.0909091 + 0.6651885 = 9.7560976
    // Euler, tau 0.02: x and theta keep their old (zero) velocities; xDot = 0.1951220, thetaDot = -0.2926829
    const { state, terminated } = cartPole.step([0, 0, 0, 0], 1);
    expectVector(state, [0, 0.195122, 0, -0.292683]);
    expect(terminated).toBe(false);
    expectVector(cartPole.step([0, 0, 0, 0], 0).state, [0, -0.195122, 0, 0.292683]);
  });

  it('terminates beyond 2.4 m or 12 degrees, not before', () => {
    // x: 2.39 + 0.02 * 1 = 2.41 > 2.4
    expect(cartPole.step([2.39, 1, 0, 0], 1).terminated).toBe(true);
    expect(cartPole.step([2.3, 1, 0, 0], 1).terminated).toBe(false);
    // theta: 0.2 + 0.02 * 1 = 0.22 > 12 deg = 0.20944 rad
    expect(cartPole.step([0, 0, 0.2, 1], 1).terminated).toBe(true);
    expect(cartPole.step([0, 0, 0.19, 0], 1).terminated).toBe(false);
  });
});

describe('MountainCar-v0', () => {
  it('accelerates with gravity and the engine', () => {
    // v = 0 + (2 - 1) * 0.001 - cos(3 * -0.5) * 0.0025 = 0.001 - 0.0707372 * 0.0025 = 0.00082316
    const { state, terminated } = mountainCar.step([-0.5, 0], 2);
    expectVector(state, [-0.5 + 0.00082316, 0.00082316], 7);
    expect(terminated).toBe(false);
  });

  it('stops inelastically at the left wall', () => {
    // v = -0.01 - 0.001 - cos(-3.6) * 0.0025 = -0.0087581 < 0; position clipped to -1.2, so v = 0
    expectVector(mountainCar.step([-1.2, -0.01], 0).state, [-1.2, 0]);
  });

  it('terminates at position 0.5 moving right', () => {
    // v = 0.02 + 0.001 - cos(1.47) * 0.0025 = 0.0207481; p = 0.5107481
    const { state, terminated } = mountainCar.step([0.49, 0.02], 2);
    expectVector(state, [0.5107481, 0.0207481]);
    expect(terminated).toBe(true);
  });
});

describe('MountainCarContinuous-v0', () => {
  it('scales the clipped force by 0.0015', () => {
    // v = 1 * 0.0015 - cos(-1.5) * 0.0025 = 0.0015 - 0.00017684 = 0.00132316
    expectVector(mountainCarContinuous.step([-0.5, 0], 1).state, [-0.49867684, 0.00132316], 7);
    expectVector(mountainCarContinuous.step([-0.5, 0], 5).state, [-0.49867684, 0.00132316], 7);
  });

  it('terminates at 0.45 and pays 100 minus 0.1 * a^2 there', () => {
    // v = 0.02 - cos(1.32) * 0.0025 = 0.02 - 0.00062044 = 0.01937956; p = 0.45937956 >= 0.45
    const { state, terminated } = mountainCarContinuous.step([0.44, 0.02], 0);
    expectVector(state, [0.45937956, 0.01937956]);
    expect(terminated).toBe(true);
    expect(mountainCarContinuous.defaultReward([0.44, 0.02], 1, state, true)).toBeCloseTo(99.9, 10);
    expect(mountainCarContinuous.defaultReward([0, 0], -0.5, [0, 0], false)).toBeCloseTo(-0.025, 10);
  });
});

describe('Pendulum-v1', () => {
  it('integrates velocity first, then the angle with the new velocity', () => {
    // thetaDot' = 0 + (3 * 10 / 2 * sin(pi/2) + 3 * 2) * 0.05 = (15 + 6) * 0.05 = 1.05
    // theta' = pi/2 + 1.05 * 0.05 = 1.6232963
    const { state, terminated } = pendulum.step([Math.PI / 2, 0], 2);
    expectVector(state, [1.6232963, 1.05]);
    expect(terminated).toBe(false);
    // the torque is clipped to 2
    expectVector(pendulum.step([Math.PI / 2, 0], 7).state, [1.6232963, 1.05]);
  });

  it('clips the angular velocity to 8 and costs the wrapped angle', () => {
    // 7.9 + 1.05 = 8.95 -> 8; theta' = pi/2 + 8 * 0.05
    expectVector(pendulum.step([Math.PI / 2, 7.9], 2).state, [Math.PI / 2 + 0.4, 8]);
    // cost = (pi/2)^2 + 0.1 * 0^2 + 0.001 * 2^2 = 2.4674011 + 0.004
    expect(pendulum.defaultReward([Math.PI / 2, 0], 2, [0, 0], false)).toBeCloseTo(-2.4714011, 6);
    // 3pi/2 wraps to -pi/2: same cost
    expect(pendulum.defaultReward([(3 * Math.PI) / 2, 0], 2, [0, 0], false)).toBeCloseTo(-2.4714011, 6);
    expectVector(pendulum.rewardView([(3 * Math.PI) / 2, 1]), [-Math.PI / 2, 1]);
    expectVector(pendulum.observe([Math.PI / 2, 3]), [0, 1, 3]);
  });
});

describe('Acrobot-v1', () => {
  it('has the book dynamics at rest with torque +1', () => {
    // cos(theta2) = 1: d1 = 0.25 + (1 + 0.25 + 1) + 2 = 4.5, d2 = 0.25 + 0.5 + 1 = 1.75, phi1 = phi2 = 0
    // ddtheta2 = 1 / (0.25 + 1 - 1.75^2 / 4.5) = 1 / 0.5694444 = 1.7560976
    // ddtheta1 = -(1.75 * 1.7560976) / 4.5 = -0.6829268
    expectVector(acrobotDerivatives([0, 0, 0, 0], 1), [0, 0, -0.6829268, 1.7560976]);
  });

  it('has gravity pulling a horizontal first link back down', () => {
    // theta1 = pi/2: phi2 = 0.5 * 9.8 * cos(0) = 4.9, phi1 = 1.5 * 9.8 * cos(0) + 4.9 = 19.6
    // ddtheta2 = (1.75 / 4.5 * 19.6 - 4.9) / 0.5694444 = 2.7222222 / 0.5694444 = 4.7804878
    // ddtheta1 = -(1.75 * 4.7804878 + 19.6) / 4.5 = -6.2146341
    expectVector(acrobotDerivatives([Math.PI / 2, 0, 1, 0], 0).slice(2), [-6.2146341, 4.7804878]);
  });

  it('integrates with classical RK4', () => {
    // y'' = -y from (1, 0), h = 0.2: RK4 reproduces the Taylor series to h^4:
    // y = 1 - h^2/2 + h^4/24 = 0.98006667, y' = -(h - h^3/6) = -0.19866667
    expectVector(
      rk4Step(([y = 0, v = 0]) => [v, -y], [1, 0], 0.2),
      [0.98006667, -0.19866667],
    );
  });

  it('terminates when the tip is more than one link above the pivot', () => {
    expect(acrobotTipHeight([Math.PI, 0])).toBeCloseTo(2, 10);
    expect(acrobotTipHeight([0, 0])).toBeCloseTo(-2, 10);
    // Upright is an (unstable) equilibrium: one step leaves it there, wrapped to -pi.
    const up = acrobot.step([Math.PI, 0, 0, 0], 1);
    expect(up.terminated).toBe(true);
    expect(Math.abs(up.state[0] ?? 0)).toBeCloseTo(Math.PI, 6);
    expect(acrobot.step([0, 0, 0, 0], 2).terminated).toBe(false);
    // Torque on a resting chain: theta2 ~ 1.756 * 0.2^2 / 2 = 0.035 (gravity changes it only slightly)
    expect(acrobot.step([0, 0, 0, 0], 2).state[1]).toBeCloseTo(0.035, 2);
  });

  it('clips link velocities to 4pi and 9pi', () => {
    const { state } = acrobot.step([0, 0, 20, -40], 1);
    expect(state[2]).toBeCloseTo(4 * Math.PI, 10);
    expect(state[3]).toBeCloseTo(-9 * Math.PI, 10);
  });
});

describe('initial states', () => {
  it('are seeded and in the documented ranges', () => {
    for (const env of Object.values(ENVS)) {
      expect(env.reset(rngFromSeed(7))).toEqual(env.reset(rngFromSeed(7)));
      expect(env.reset(rngFromSeed(7))).not.toEqual(env.reset(rngFromSeed(8)));
    }
    for (let seed = 0; seed < 50; seed++) {
      const rng = rngFromSeed(seed);
      for (const v of cartPole.reset(rng)) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
      const [position = 0, velocity] = mountainCar.reset(rng);
      expect(position).toBeGreaterThanOrEqual(-0.6);
      expect(position).toBeLessThanOrEqual(-0.4);
      expect(velocity).toBe(0);
      for (const v of acrobot.reset(rng)) expect(Math.abs(v)).toBeLessThanOrEqual(0.1);
      const [theta = 0, thetaDot = 0] = pendulum.reset(rng);
      expect(Math.abs(theta)).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(thetaDot)).toBeLessThanOrEqual(1);
    }
  });
});
