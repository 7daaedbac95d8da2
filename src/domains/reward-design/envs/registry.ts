import { acrobot } from './acrobot';
import { cartPole } from './cartpole';
import { mountainCar, mountainCarContinuous } from './mountain-car';
import { pendulum } from './pendulum';
import type { Env } from './types';

export const ENVS: Readonly<Record<string, Env>> = Object.fromEntries(
  [cartPole, mountainCar, mountainCarContinuous, acrobot, pendulum].map((env) => [env.id, env]),
);

export function getEnv(id: string): Env {
  const env = ENVS[id];
  if (!env) throw new Error(`unknown environment '${id}'; known: ${Object.keys(ENVS).join(', ')}`);
  return env;
}
