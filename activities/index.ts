import { engineActivities, type EngineDeps } from './engine';
import { smokeActivities, type SmokeDeps } from './smoke';

export interface ActivityDeps extends SmokeDeps {
  engine: EngineDeps;
}

/** Every activity the worker registers, bound to their I/O dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...smokeActivities(deps), ...engineActivities(deps.engine) };
}
