import { rngFromString, type Rng } from '../util/random';

/**
 * The stream of one generation of a run. `purpose` separates independent draws of the same
 * generation (e.g. 'select' and 'staged:<domain>'), so that adding a draw to one purpose never
 * shifts another's. The naming is part of every recorded run: changing it changes their draws.
 */
export function rngFor(runSeed: string, generation: number, purpose = 'select'): Rng {
  if (!Number.isInteger(generation) || generation < 0) {
    throw new RangeError(`rngFor: generation must be a non-negative integer, got ${generation}`);
  }
  return rngFromString(`${runSeed}\u0000gen-${generation}\u0000${purpose}`);
}
