import { drawIndex, type Rng } from '../util/random';
import { isPolicyName, weightRules, SELECTION_POLICIES, type PolicyName } from './policies';
import { rankEligible, SelectionError, type SelectionSnapshot } from './snapshot';

export interface SelectionResult {
  /** The rule that produced `probabilities` (the default policy after an editable-selector fallback). */
  readonly policy: PolicyName | 'editable';
  readonly nodeId: string;
  /** P(i) for every eligible node, summing to 1; ineligible nodes are absent. Log it with the choice. */
  readonly probabilities: Readonly<Record<string, number>>;
  /** Set when the result is not the policy's own rule: why, and what was done instead. */
  readonly fallback?: string;
}

export type Policy = (snapshot: SelectionSnapshot, rng: Rng) => SelectionResult;

function runPolicy(name: PolicyName, snapshot: SelectionSnapshot, rng: Rng): SelectionResult {
  const nodes = rankEligible(snapshot);
  let weights = weightRules[name](nodes);
  let fallback: string | undefined;
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    // Happens e.g. with score_prop when every score is 0, or score_child_prop when every node has
    // so many children that exp(−(n/8)^3) underflows: keep evolving rather than stop the run.
    fallback = `${name}: all weights are zero over ${nodes.length} eligible node(s); drew uniformly instead`;
    weights = nodes.map(() => 1);
  }
  const sum = weights.reduce((s, w) => s + w, 0);
  const probabilities: Record<string, number> = {};
  nodes.forEach((n, i) => (probabilities[n.id] = weights[i]! / sum));
  const chosen = nodes[drawIndex(weights, rng)]!;
  return fallback === undefined
    ? { policy: name, nodeId: chosen.id, probabilities }
    : { policy: name, nodeId: chosen.id, probabilities, fallback };
}

/**
 * With no eligible node (every child so far failed), the run's start node is the parent: it is never
 * barred, so one bad generation cannot end a run. Recorded as a fallback. Undefined when some node
 * is eligible or the snapshot has no start node (generation 0).
 */
export function startNodeFallback(
  snapshot: SelectionSnapshot,
  policy: SelectionResult['policy'],
): SelectionResult | undefined {
  if (snapshot.candidates.some((c) => c.eligible)) return undefined;
  const start = snapshot.candidates.find((c) => c.generation === 0);
  if (!start) return undefined;
  return {
    policy,
    nodeId: start.id,
    probabilities: { [start.id]: 1 },
    fallback: `no eligible node among ${snapshot.candidates.length}: took the start node ${start.id}`,
  };
}

/** One policy as a function, for callers that hold it rather than its name. */
export function policy(name: PolicyName): Policy {
  return (snapshot, rng) => runPolicy(name, snapshot, rng);
}

/**
 * Draws a parent with a built-in policy. Uses exactly one step of `rng` (none if it throws or falls
 * back to the start node). Throws SelectionError for an unknown policy name, an empty archive, or
 * no eligible node and no start node.
 */
export function selectParent(policyName: string, snapshot: SelectionSnapshot, rng: Rng): SelectionResult {
  if (!isPolicyName(policyName)) {
    throw new SelectionError(
      `unknown selection policy '${policyName}'; expected one of: ${SELECTION_POLICIES.join(', ')}`,
    );
  }
  return startNodeFallback(snapshot, policyName) ?? runPolicy(policyName, snapshot, rng);
}
