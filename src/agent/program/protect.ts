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
 * Whether the child's meta agent differs from its parent's: `meta_agent.mjs` or anything matched by
 * `metaPaths` (files or folders the meta agent is built from, e.g. `lib/meta/`) was changed, added or
 * removed. Approval policies and the no-self-improve ablation read this.
 */
export function metaAgentChanged(
  parent: ProgramFiles,
  child: ProgramFiles,
  metaPaths: readonly string[] = [],
): boolean {
  const isMeta = pathMatcher([META_AGENT_ENTRY, ...metaPaths]);
  return unionPaths(parent, child).some((p) => isMeta(p) && parent[p] !== child[p]);
}
