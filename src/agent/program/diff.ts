import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { unionPaths, type ProgramFiles } from './paths';

export interface ProgramDiff {
  /** Unified diff over all files, `a/` and `b/` prefixes, `/dev/null` for added or removed files. */
  readonly patch: string;
  /** Every path whose content differs, sorted: `added`, `removed` and `modified` together. */
  readonly changedPaths: string[];
  readonly added: string[];
  readonly removed: string[];
  readonly modified: string[];
}

/**
 * The child's changes against its parent. The path lists, not the patch text, decide emptiness:
 * an added empty file changes the program yet has no hunk.
 */
export function diffPrograms(parent: ProgramFiles, child: ProgramFiles): ProgramDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  const parts: string[] = [];
  for (const p of unionPaths(parent, child)) {
    const before = parent[p];
    const after = child[p];
    if (before === after) continue;
    if (before === undefined) added.push(p);
    else if (after === undefined) removed.push(p);
    else modified.push(p);
    parts.push(
      `diff --git a/${p} b/${p}\n` +
        createTwoFilesPatch(
          before === undefined ? '/dev/null' : `a/${p}`,
          after === undefined ? '/dev/null' : `b/${p}`,
          before ?? '',
          after ?? '',
          undefined,
          undefined,
          { headerOptions: FILE_HEADERS_ONLY },
        ),
    );
  }
  const changedPaths = [...added, ...removed, ...modified].sort();
  return { patch: parts.join(''), changedPaths, added, removed, modified };
}

/** True when the child changes nothing (ARCHITECTURE: such a node is never a parent). */
export function patchIsEmpty(diff: ProgramDiff): boolean {
  return diff.changedPaths.length === 0;
}
