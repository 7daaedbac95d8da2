import { trainScoresOf } from '../evaluation/scores';
import type { Rng } from '../util/random';
import { DEFAULT_POLICY, type PolicyName } from './policies';
import { selectParent, type SelectionResult } from './select';
import { rankEligible, type SelectionSnapshot } from './snapshot';

/**
 * The contract of a program's own `select_parent.mjs`, which runs inside the sandbox as part of the
 * agent program. Like the meta agent, it may see train-split results only: the input is built
 * field by field from an allow-list (never by spreading a record), so validation and test scores
 * cannot leak in even if the snapshot type grows.
 *
 * The selector reads the input as JSON and answers `{"parentId": "<an id from candidates>"}`.
 */

export const EDITABLE_SELECTOR_SCHEMA = 'hyperagents.select_parent.v1';

export interface EditableCandidate {
  readonly id: string;
  readonly generation: number;
  readonly childCount: number;
  /** Train score per run domain; null where the node has none. */
  readonly trainScores: Readonly<Record<string, number | null>>;
  /** Mean of `trainScores` over the run's domains; null if any is missing. */
  readonly trainMean: number | null;
}

export interface EditableSelectorInput {
  readonly schema: typeof EDITABLE_SELECTOR_SCHEMA;
  /** The generation whose parent is being chosen. */
  readonly generation: number;
  readonly domains: readonly string[];
  /** A seed for the selector's own randomness, drawn from the run's stream, so its choice replays. */
  readonly seed: number;
  /** The eligible nodes only: any id here is a valid answer. */
  readonly candidates: readonly EditableCandidate[];
}

/** Builds the selector's input. Uses one step of `rng` (for `seed`); throws like `selectParent` when nothing is eligible. */
export function editableSelectorInput(
  snapshot: SelectionSnapshot,
  generation: number,
  rng: Rng,
): EditableSelectorInput {
  const eligibleIds = new Set(rankEligible(snapshot).map((r) => r.id));
  const candidates: EditableCandidate[] = [];
  for (const c of snapshot.candidates) {
    if (!eligibleIds.has(c.id)) continue;
    const trainScores = trainScoresOf(c.scores, snapshot.domains);
    const values = Object.values(trainScores);
    const trainMean = values.every((v) => v !== null)
      ? values.reduce<number>((s, v) => s + v, 0) / values.length
      : null;
    candidates.push({ id: c.id, generation: c.generation, childCount: c.childCount, trainScores, trainMean });
  }
  return {
    schema: EDITABLE_SELECTOR_SCHEMA,
    generation,
    domains: [...snapshot.domains],
    seed: rng.uint32(),
    candidates,
  };
}

/** What came back from running the selector: its output (parsed JSON or raw stdout), or why it failed. */
export type EditableOutcome = { readonly output: unknown } | { readonly failure: string };

/** The parent id the output names, or the reason it is unusable. */
export function parseEditableOutput(
  output: unknown,
  snapshot: SelectionSnapshot,
): { parentId: string } | { reason: string } {
  let value = output;
  if (typeof output === 'string') {
    try {
      value = JSON.parse(output);
    } catch {
      return { reason: `output is not JSON: ${JSON.stringify(output.slice(0, 80))}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { reason: 'output is not a JSON object with a parentId' };
  }
  const parentId = (value as { parentId?: unknown }).parentId;
  if (typeof parentId !== 'string') return { reason: 'output has no string parentId' };
  const eligible = new Set(rankEligible(snapshot).map((r) => r.id));
  if (!eligible.has(parentId)) {
    const known = snapshot.candidates.some((c) => c.id === parentId);
    return { reason: `parentId '${parentId}' ${known ? 'is not eligible' : 'is not in the archive'}` };
  }
  return { parentId };
}

/**
 * Turns the selector's outcome into a selection. A valid answer is taken as is (probability 1: the
 * selector's own distribution is unknown to the host). Anything else falls back to `fallbackPolicy`
 * drawn with `rng`, and `fallback` records why.
 */
export function resolveEditableChoice(
  outcome: EditableOutcome,
  snapshot: SelectionSnapshot,
  rng: Rng,
  fallbackPolicy: PolicyName = DEFAULT_POLICY,
): SelectionResult {
  const parsed =
    'failure' in outcome
      ? { reason: `selector failed: ${outcome.failure}` }
      : parseEditableOutput(outcome.output, snapshot);
  if ('parentId' in parsed) {
    const probabilities: Record<string, number> = {};
    for (const r of rankEligible(snapshot)) probabilities[r.id] = r.id === parsed.parentId ? 1 : 0;
    return { policy: 'editable', nodeId: parsed.parentId, probabilities };
  }
  const result = selectParent(fallbackPolicy, snapshot, rng);
  const why = `editable selector: ${parsed.reason}; used ${fallbackPolicy} instead`;
  return { ...result, fallback: result.fallback ? `${why}; ${result.fallback}` : why };
}
