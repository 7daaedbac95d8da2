import { pathMatcher, unionPaths, type ProgramFiles } from './paths';

/** The meta agent's entry point; always counts as meta-agent code. */
export const META_AGENT_ENTRY = 'meta_agent.mjs';

export interface Restored {
  /** The child with every protected path as in the parent (new protected files dropped). */
  readonly files: ProgramFiles;
  /** Protected paths the child had changed, added or removed, sorted. */
  readonly revertedPaths: string[];
}

/**
 * ARCHITECTURE: "any edit to a protected path is reverted before the child is stored". Each entry
 * of `protectedPaths` is an exact path or a folder (segment-boundary prefix, see `pathMatcher`).
 * Pure: neither input is modified.
 */
export function restoreProtected(
  parent: ProgramFiles,
  child: ProgramFiles,
  protectedPaths: readonly string[],
): Restored {
  const isProtected = pathMatcher(protectedPaths);
  const files: ProgramFiles = { ...child };
  const revertedPaths: string[] = [];
  for (const p of unionPaths(parent, child)) {
    if (!isProtected(p) || parent[p] === child[p]) continue;
    const original = parent[p];
    if (original === undefined) delete files[p];
    else files[p] = original;
    revertedPaths.push(p);
  }
  return { files, revertedPaths };
}

/**
 * `program` with exactly the paths of `set` (pathMatcher entries) as in `source`: the set's files of
 * `program` that `source` lacks are dropped, the rest of the set taken from `source`, every other
 * path kept. Transfer resets and the frozen meta agent use it. Pure.
 */
export function replaceSet(
  program: ProgramFiles,
  set: readonly string[],
  source: ProgramFiles,
): ProgramFiles {
  return restoreProtected(source, program, set).files;
}

/**
 * Whether the child's meta agent differs from its parent's: a path of `metaSet` (the program's meta
 * agent, META_SET in src/agent/layout.ts, which the engine passes) or `meta_agent.mjs` was changed,
 * added or removed. The `metaChanged` of a node, which approval policies read.
 */
export function metaAgentChanged(
  parent: ProgramFiles,
  child: ProgramFiles,
  metaSet: readonly string[] = [],
): boolean {
  const isMeta = pathMatcher([META_AGENT_ENTRY, ...metaSet]);
  return unionPaths(parent, child).some((p) => isMeta(p) && parent[p] !== child[p]);
}
