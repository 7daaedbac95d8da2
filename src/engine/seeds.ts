import type { RunConfig, SplitSizes } from './types';

/** A stable 32-bit number from a string, for the domain loaders' numeric seeds. */
export function numericSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The split sizes a domain is loaded with in this run; undefined: the domain's defaults. */
export function sizesFor(config: RunConfig, domain: string): SplitSizes | undefined {
  return config.domainSplitSizes?.[domain] ?? config.splitSizes;
}
