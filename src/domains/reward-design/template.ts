import type { RewardTaskInput } from './task-input';

/**
 * The offline (no-LLM) reward heuristic: the task's default reward plus weighted shaping terms on
 * the normalised state fields, as source text. An evolutionary strategy mutates the weights; the
 * function only reads the task input, so it can run inside the sandbox as part of a task agent.
 */
export interface RewardTemplateWeights {
  /** Multiplier of the task's default reward. */
  readonly base: number;
  /** Constant added each step (positive: a bonus for surviving). */
  readonly alive: number;
  /** Per field: weight * next / scale. */
  readonly linear: Readonly<Record<string, number>>;
  /** Per field: weight * (next / scale)^2. */
  readonly quadratic: Readonly<Record<string, number>>;
  /** Per field, potential-based: weight * ((next / scale)^2 - (state / scale)^2); rewards change, not level. */
  readonly potential: Readonly<Record<string, number>>;
  /** Weight of action^2 (continuous actions only). */
  readonly action: number;
}

export const NEUTRAL_TEMPLATE_WEIGHTS: RewardTemplateWeights = {
  base: 1,
  alive: 0,
  linear: {},
  quadratic: {},
  potential: {},
  action: 0,
};

const num = (value: number | undefined): string => {
  const v = value !== undefined && Number.isFinite(value) ? value : 0;
  return String(Number(v.toPrecision(6)));
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function buildRewardSource(input: RewardTaskInput, weights: RewardTemplateWeights): string {
  const terms: string[] = [];
  for (const field of input.stateFields) {
    if (!IDENTIFIER.test(field.name)) continue;
    const scale = num(field.scale || 1);
    const next = `(nextState.${field.name} / ${scale})`;
    const now = `(state.${field.name} / ${scale})`;
    const linear = weights.linear[field.name] ?? 0;
    const quadratic = weights.quadratic[field.name] ?? 0;
    const potential = weights.potential[field.name] ?? 0;
    if (linear !== 0) terms.push(`${num(linear)} * ${next}`);
    if (quadratic !== 0) terms.push(`${num(quadratic)} * ${next} ** 2`);
    if (potential !== 0) terms.push(`${num(potential)} * (${next} ** 2 - ${now} ** 2)`);
  }
  if (input.action.kind === 'continuous' && weights.action !== 0)
    terms.push(`${num(weights.action)} * action ** 2`);
  // The default reward is embedded under another name so that the template's own `reward` wraps it.
  const base = input.defaultRewardSource.replace(/function\s+reward\s*\(/, 'function defaultReward(');
  return [
    base.trim(),
    '',
    'function reward(state, action, nextState, info) {',
    `  let r = ${num(weights.base)} * defaultReward(state, action, nextState, info) + ${num(weights.alive)};`,
    ...terms.map((t) => `  r += ${t};`),
    '  return r;',
    '}',
    '',
  ].join('\n');
}

/** Gaussian perturbation of every weight (missing field weights start at 0); `normal` is a seeded N(0,1) source. */
export function mutateRewardWeights(
  weights: RewardTemplateWeights,
  fieldNames: readonly string[],
  normal: () => number,
  step: number,
): RewardTemplateWeights {
  const perField = (current: Readonly<Record<string, number>>): Record<string, number> =>
    Object.fromEntries(fieldNames.map((name) => [name, (current[name] ?? 0) + step * normal()]));
  return {
    base: weights.base + step * normal(),
    alive: weights.alive + step * normal(),
    linear: perField(weights.linear),
    quadratic: perField(weights.quadratic),
    potential: perField(weights.potential),
    action: weights.action + step * normal(),
  };
}
