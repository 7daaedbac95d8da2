import { eligibility, trainScoresOf, type DomainScore, type DomainScores } from '../evaluation';
import type { Candidate, SelectionSnapshot } from '../selection';
import type { NodeRecord, NodeScores } from './record';

/**
 * Pure views over a run's node records (as `Archive.listNodes` returns them). The Archive class
 * composes them with I/O; workflows and tests can call them on records they already hold.
 */

/** n_i for every node: how many records name it as parent (0 for leaves). */
export function childCountsOf(nodes: readonly NodeRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[n.nodeId] ??= 0;
  for (const n of nodes) if (n.parentId !== null) counts[n.parentId] = (counts[n.parentId] ?? 0) + 1;
  return counts;
}

/** The ids from the root to `nodeId`, root first. Throws on a missing ancestor or a cycle. */
export function lineageOf(
  nodes: readonly NodeRecord[] | ReadonlyMap<string, NodeRecord>,
  nodeId: string,
): string[] {
  const byId: ReadonlyMap<string, NodeRecord> =
    'get' in nodes ? nodes : new Map(nodes.map((n) => [n.nodeId, n] as const));
  const path: string[] = [];
  const seen = new Set<string>();
  let id: string | null = nodeId;
  while (id !== null) {
    if (seen.has(id)) throw new Error(`lineage of ${nodeId}: cycle through ${id}`);
    seen.add(id);
    const node = byId.get(id);
    if (!node) throw new Error(`lineage of ${nodeId}: no node ${id} in the archive`);
    path.push(id);
    id = node.parentId;
  }
  return path.reverse();
}

/**
 * Why a node may not be chosen as a parent beyond the rules of `evaluation/eligibility`: barred after
 * its meta agent crashed or timed out, or held by the approval gate (pending or rejected), so that a
 * node a person has not cleared never breeds.
 */
export function barredReasonOf(node: NodeRecord): string | undefined {
  if (node.barred) return node.barredReason ?? 'meta agent crashed or timed out as a parent';
  if (node.approval?.status === 'rejected') return 'rejected by a reviewer';
  if (node.approval?.status === 'pending') return 'awaiting approval';
  return undefined;
}

/** The run's train and val evaluations that do not count, as `domain/split: why` (see SplitScore.incomplete). */
export function incompleteEvaluationsOf(scores: NodeScores, domains: readonly string[]): string[] {
  return domains.flatMap((d) =>
    (['train', 'val'] as const).flatMap((split) => {
      const why = scores[d]?.[split]?.incomplete;
      return why === undefined ? [] : [`${d}/${split}: ${why}`];
    }),
  );
}

/** Train and val scores only, the shape selection and eligibility read; test never steers evolution. */
export function domainScoresOf(scores: NodeScores): DomainScores {
  const out: Record<string, DomainScore> = {};
  for (const [domain, s] of Object.entries(scores)) {
    const d: { train?: number; val?: number } = {};
    if (s.train) d.train = s.train.score;
    if (s.val) d.val = s.val.score;
    out[domain] = d;
  }
  return out;
}

/** Nodes in generation order (the snapshot order `latest` and ties rely on). */
function byGeneration(nodes: readonly NodeRecord[]): NodeRecord[] {
  return [...nodes].sort((a, b) => a.generation - b.generation || (a.nodeId < b.nodeId ? -1 : 1));
}

/** One node as a candidate, but for its child count (which changes as other nodes arrive). */
type OwnCandidate = Omit<Candidate, 'childCount'>;

/**
 * Each record's candidate per domain list, computed once: records are never changed in place (an
 * update is a new record), and a worker's archive cache hands the same record objects to every
 * generation, so a snapshot of a large run costs only its new and changed records.
 */
const ownCandidates = new WeakMap<NodeRecord, { domains: string; candidate: OwnCandidate }>();

function ownCandidateOf(n: NodeRecord, domains: readonly string[]): OwnCandidate {
  const key = domains.join('\n');
  const memo = ownCandidates.get(n);
  if (memo?.domains === key) return memo.candidate;
  const scores = domainScoresOf(n.scores);
  const verdict = eligibility(
    {
      parentId: n.parentId,
      patchEmpty: n.patchEmpty,
      validationPassed: n.validation.passed,
      scores,
      barred: barredReasonOf(n),
      incomplete: incompleteEvaluationsOf(n.scores, domains),
    },
    domains,
  );
  const candidate = { id: n.nodeId, generation: n.generation, scores, eligible: verdict.eligible };
  ownCandidates.set(n, { domains: key, candidate });
  return candidate;
}

/** The read-only snapshot `selection` draws from, eligibility decided by `evaluation/eligibility`. */
export function selectionSnapshotOf(
  nodes: readonly NodeRecord[],
  domains: readonly string[],
): SelectionSnapshot {
  const counts = childCountsOf(nodes);
  const candidates: Candidate[] = byGeneration(nodes).map((n) => {
    // Field by field: an object spread here costs more than the rest of the snapshot at 10k nodes.
    const own = ownCandidateOf(n, domains);
    return {
      id: own.id,
      generation: own.generation,
      scores: own.scores,
      childCount: counts[n.nodeId] ?? 0,
      eligible: own.eligible,
    };
  });
  return { domains: [...domains], candidates };
}

/** One archive node as the meta agent may see it. */
export interface TrainHistoryNode {
  readonly id: string;
  readonly parentId: string | null;
  readonly generation: number;
  readonly changedPaths: string[];
  readonly patchEmpty: boolean;
  readonly metaChanged: boolean;
  /** Whether the child loaded and ran its smoke task (reasons are withheld: free text from the harness). */
  readonly valid: boolean;
  readonly childCount: number;
  /** Whether the node is the meta agent's own parent or one of its ancestors. */
  readonly inLineage: boolean;
  /** Train score per run domain, null where the node has none. */
  readonly train: Record<string, number | null>;
}

export interface TrainHistory {
  /** The node whose meta agent receives this history. */
  readonly nodeId: string;
  readonly domains: string[];
  /** Its ancestors and itself, root first. */
  readonly lineage: string[];
  /**
   * Every node of the archive, most relevant first: its lineage (the node itself, its parent, ...
   * back to the root), then every other node, newest first. A reader that must cut it (a prompt
   * budget) keeps a prefix and so keeps what bears most on the node's own next edit.
   */
  readonly nodes: TrainHistoryNode[];
}

/**
 * What the meta agent is shown: the whole archive (DGM-H), or only the parent it rewrites (the
 * paper's no-open-ended ablation, where there is no archive to learn from).
 */
export type HistoryScope = 'archive' | 'parent';

/**
 * ARCHITECTURE: the meta agent sees "the archive's results on the train split only". Built field by
 * field from an allow-list (train scores through `trainScoresOf`), so a field later added to
 * NodeRecord, a val or test score, a report key or a label can never leak in by accident.
 */
export function trainHistoryOf(
  nodes: readonly NodeRecord[],
  nodeId: string,
  domains: readonly string[],
  scope: HistoryScope = 'archive',
): TrainHistory {
  const counts = childCountsOf(nodes);
  const newestFirst = byGeneration(nodes).reverse();
  const lineage = lineageOf(newestFirst, nodeId);
  const inLineage = new Set(lineage);
  const shown =
    scope === 'archive'
      ? [
          ...newestFirst.filter((n) => inLineage.has(n.nodeId)),
          ...newestFirst.filter((n) => !inLineage.has(n.nodeId)),
        ]
      : newestFirst.filter((n) => n.nodeId === nodeId);
  return {
    nodeId,
    domains: [...domains],
    lineage: scope === 'archive' ? lineage : [nodeId],
    nodes: shown.map((n) => ({
      id: n.nodeId,
      parentId: n.parentId,
      generation: n.generation,
      changedPaths: [...n.changedPaths],
      patchEmpty: n.patchEmpty,
      metaChanged: n.metaChanged,
      valid: n.validation.passed,
      childCount: counts[n.nodeId] ?? 0,
      inLineage: inLineage.has(n.nodeId),
      train: trainScoresOf(domainScoresOf(n.scores), domains),
    })),
  };
}
