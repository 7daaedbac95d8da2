import { stringHash } from '../util/hash';
import type { RunConfig, SplitSizes } from './types';

/** Numeric seeds (domain loaders, staged samples) from names: the one string hash, by the engine's name. */
export const numericSeed = stringHash;

/** The split sizes a domain is loaded with in this run; undefined: the domain's defaults. */
export function sizesFor(config: RunConfig, domain: string): SplitSizes | undefined {
  return config.domainSplitSizes?.[domain] ?? config.splitSizes;
}
