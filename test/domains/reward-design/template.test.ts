import { compileReward } from '../../../src/domains/reward-design/reward-sandbox';
import { rewardTaskInput } from '../../../src/domains/reward-design/task-input';
import { getRewardTask, REWARD_TASKS } from '../../../src/domains/reward-design/tasks';
import {
  buildRewardSource,
  mutateRewardWeights,
  NEUTRAL_TEMPLATE_WEIGHTS,
} from '../../../src/domains/reward-design/template';
import { rngFromSeed } from '../../../src/util/random';

const INFO = { terminated: false, truncated: false, step: 0 };

describe('reward template (offline heuristic)', () => {
  it('adds the weighted shaping terms to the default reward', () => {
    const input = rewardTaskInput(getRewardTask('cartpole-balance'));
    const source = buildRewardSource(input, {
      ...NEUTRAL_TEMPLATE_WEIGHTS,
      alive: 0.5,
      quadratic: { theta: -1 },
      potential: { x: 2 },
    });
    const reward = compileReward(source, { stateFields: ['x', 'xDot', 'theta', 'thetaDot'] });
    // default 1 + alive 0.5 - (0.105 / 0.21)^2 + 2 * ((1.2 / 2.4)^2 - (0 / 2.4)^2) = 1.5 - 0.25 + 0.5 = 1.75
    expect(reward.call([0, 0, 0.21, 0], 1, [1.2, 0, 0.105, 0], INFO)).toBeCloseTo(1.75, 12);
  });

  it('charges the action only for continuous actions', () => {
    const input = rewardTaskInput(getRewardTask('mountain-car-continuous'));
    const source = buildRewardSource(input, { ...NEUTRAL_TEMPLATE_WEIGHTS, base: 0, action: -2 });
    const reward = compileReward(source, { stateFields: ['position', 'velocity'] });
    expect(reward.call([0, 0], 0.5, [0, 0], INFO)).toBeCloseTo(-0.5, 12); // -2 * 0.5^2
    const discrete = buildRewardSource(rewardTaskInput(getRewardTask('acrobot-swingup')), {
      ...NEUTRAL_TEMPLATE_WEIGHTS,
      action: -2,
    });
    expect(discrete).not.toMatch(/action \*\* 2/);
  });

  it('with neutral weights is the default reward, for every task', () => {
    for (const task of REWARD_TASKS) {
      const fields = task.stateFields.map((f) => f.name);
      const template = compileReward(buildRewardSource(rewardTaskInput(task), NEUTRAL_TEMPLATE_WEIGHTS), {
        stateFields: fields,
      });
      const baseline = compileReward(task.defaultRewardSource, { stateFields: fields });
      const state = fields.map((_, i) => 0.1 * (i + 1));
      const next = fields.map((_, i) => -0.2 * (i + 1));
      for (const info of [INFO, { ...INFO, terminated: true }]) {
        expect(template.call(state, 1, next, info)).toBeCloseTo(baseline.call(state, 1, next, info), 12);
      }
    }
  });

  it('mutates every weight, reproducibly from the seed', () => {
    const fields = ['position', 'velocity'];
    const mutate = (seed: number) => {
      const rng = rngFromSeed(seed);
      return mutateRewardWeights(NEUTRAL_TEMPLATE_WEIGHTS, fields, () => rng.normal(), 0.3);
    };
    expect(mutate(1)).toEqual(mutate(1));
    expect(mutate(1)).not.toEqual(mutate(2));
    expect(Object.keys(mutate(1).potential)).toEqual(fields);
    expect(mutate(1).base).not.toBe(1);
  });
});
