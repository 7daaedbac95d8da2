import type { ActionSpace, Env } from './envs/types';

/**
 * A small feed-forward policy over the env's normalised observation: `hidden` tanh layers (none =
 * linear), then one output per discrete action (argmax; a single sign output for two actions) or
 * one tanh output scaled to a continuous action range. Parameters are one flat vector so any
 * black-box optimiser can search them.
 */
export interface PolicyShape {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
  readonly actionSpace: ActionSpace;
  readonly offset: readonly number[];
  readonly scale: readonly number[];
}

export function policyShape(env: Env, hidden: readonly number[]): PolicyShape {
  const outputs = env.actionSpace.kind === 'discrete' && env.actionSpace.n > 2 ? env.actionSpace.n : 1;
  return {
    inputs: env.observationScale.length,
    hidden,
    outputs,
    actionSpace: env.actionSpace,
    offset: env.observationOffset,
    scale: env.observationScale,
  };
}

export function parameterCount(shape: PolicyShape): number {
  const sizes = [shape.inputs, ...shape.hidden, shape.outputs];
  let count = 0;
  for (let i = 1; i < sizes.length; i++) count += ((sizes[i - 1] ?? 0) + 1) * (sizes[i] ?? 0);
  return count;
}

/** Maps an observation to an action with parameters `params` (layer by layer: weights row-major, then biases). */
export function act(shape: PolicyShape, params: ArrayLike<number>, observation: readonly number[]): number {
  let layer = observation.map((v, i) => (v - (shape.offset[i] ?? 0)) / (shape.scale[i] ?? 1));
  const sizes = [shape.inputs, ...shape.hidden, shape.outputs];
  let p = 0;
  for (let l = 1; l < sizes.length; l++) {
    const fanIn = sizes[l - 1] ?? 0;
    const fanOut = sizes[l] ?? 0;
    const out = new Array<number>(fanOut);
    for (let j = 0; j < fanOut; j++) {
      let sum = params[p + fanIn * fanOut + j] ?? 0;
      for (let i = 0; i < fanIn; i++) sum += (params[p + j * fanIn + i] ?? 0) * (layer[i] ?? 0);
      out[j] = l < sizes.length - 1 ? Math.tanh(sum) : sum;
    }
    p += (fanIn + 1) * fanOut;
    layer = out;
  }
  const space = shape.actionSpace;
  if (space.kind === 'continuous') {
    const mid = (space.high + space.low) / 2;
    return mid + ((space.high - space.low) / 2) * Math.tanh(layer[0] ?? 0);
  }
  if (shape.outputs === 1) return (layer[0] ?? 0) > 0 ? 1 : 0;
  let best = 0;
  for (let i = 1; i < layer.length; i++) if ((layer[i] ?? 0) > (layer[best] ?? 0)) best = i;
  return best;
}
