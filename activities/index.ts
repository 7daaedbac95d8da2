import type { EngineDeps, SmokeDeps } from '../src/engine';
import { engineActivities } from './engine';
import { smokeActivities } from './smoke';

/** Every activity the worker registers, bound to their dependencies. */
export function createActivities(deps: EngineDeps & SmokeDeps) {
  return { ...smokeActivities(deps), ...engineActivities(deps) };
}
