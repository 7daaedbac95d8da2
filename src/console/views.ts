import { selectionSnapshotOf, type NodeRecord } from '../archive';
import type { RunScorePoint, SpendPoint, TreeNode } from '../report/charts';

/** Nodes in generation order. */
export function byGeneration(nodes: readonly NodeRecord[]): NodeRecord[] {
  return [...nodes].sort((a, b) => a.generation - b.generation || (a.nodeId < b.nodeId ? -1 : 1));
}

/** Every train and val score of every node, for the scores chart. */
export function scorePointsOf(nodes: readonly NodeRecord[]): RunScorePoint[] {
  return byGeneration(nodes).flatMap((n) =>
    Object.entries(n.scores).flatMap(([domain, s]) =>
      (['train', 'val'] as const).flatMap((split) => {
        const score = s[split]?.score;
        return score === undefined
          ? []
          : [{ domain, split, generation: n.generation, nodeId: n.nodeId, score }];
      }),
    ),
  );
}

/** What the run's nodes had cost when each was stored: running totals of their sessions' spend. */
export function spendPointsOf(nodes: readonly NodeRecord[]): SpendPoint[] {
  let usd = 0;
  let tokens = 0;
  return byGeneration(nodes).map((n) => {
    usd += n.costUsd;
    tokens += n.tokens;
    return { generation: n.generation, at: n.createdAt, usd, tokens };
  });
}

/** Mean over the run's domains of val (else train): the score the tree colours a node by. */
export function meanScoreOf(n: NodeRecord, domains: readonly string[]): number | undefined {
  const xs = domains.map((d) => n.scores[d]?.val?.score ?? n.scores[d]?.train?.score);
  if (xs.length === 0 || xs.some((x) => x === undefined)) return undefined;
  return (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;
}

/** The archive tree's nodes: score, meta-agent change, eligibility as selection sees it, approval. */
export function treeNodesOf(
  nodes: readonly NodeRecord[],
  domains: readonly string[],
  href: (nodeId: string) => string | undefined,
): TreeNode[] {
  const eligible = new Map(selectionSnapshotOf(nodes, domains).candidates.map((c) => [c.id, c.eligible]));
  return byGeneration(nodes).map((n) => {
    const score = meanScoreOf(n, domains);
    const link = href(n.nodeId);
    return {
      id: n.nodeId,
      parent: n.parentId,
      ...(score !== undefined ? { score } : {}),
      metaChanged: n.metaChanged,
      // The start node is never "ineligible" to the eye: it is the root every run has.
      eligible: n.parentId === null || (eligible.get(n.nodeId) ?? false),
      ...(n.approval ? { approval: n.approval.status } : {}),
      ...(link !== undefined ? { href: link } : {}),
    };
  });
}
