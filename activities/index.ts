import { smokeActivities, type SmokeDeps } from './smoke';

export type ActivityDeps = SmokeDeps;

/** Every activity the worker registers, bound to their I/O dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...smokeActivities(deps) };
}
