import { meanRankingScore, missingDomains, type DomainScores } from '../evaluation/scores';

/**
 * What selection may know about one archive node: a read-only copy made by the caller (the archive
 * activity), so the policies stay pure and a workflow can call them. Nothing else is needed by any
 * rule of ARCHITECTURE.md.
 */
export interface Candidate {
  readonly id: string;
  readonly generation: number;
  /** Per-domain {train?, val?}; the ranking score of a domain is val when present, else train. */
  readonly scores: DomainScores;
  /** n_i: how many children have been made from this node so far. */
  readonly childCount: number;
  /**
   * The verdict of `evaluation/eligibility` (non-empty patch, passed validation, a score in every
   * domain, not barred after its meta agent crashed or timed out). Ineligible nodes may be present;
   * they are never chosen and get no probability.
   */
  readonly eligible: boolean;
}

export interface SelectionSnapshot {
  /** The run's domains; a_i is the mean over exactly these. */
  readonly domains: readonly string[];
  readonly candidates: readonly Candidate[];
}

/** Selection cannot proceed; the message says why (empty archive, nothing eligible, bad snapshot). */
export class SelectionError extends Error {
  override name = 'SelectionError';
}

/** An eligible candidate with its mean score a_i; `order` is its position in the snapshot. */
export interface Ranked {
  readonly id: string;
  readonly generation: number;
  readonly childCount: number;
  readonly score: number;
  readonly order: number;
}

function checkShape(snapshot: SelectionSnapshot): void {
  if (snapshot.domains.length === 0) throw new SelectionError('the run has no domains to score nodes on');
  const seen = new Set<string>();
  for (const c of snapshot.candidates) {
    if (seen.has(c.id)) throw new SelectionError(`node '${c.id}' appears twice in the snapshot`);
    seen.add(c.id);
    if (!Number.isInteger(c.childCount) || c.childCount < 0) {
      throw new SelectionError(`node '${c.id}' has child count ${c.childCount}; expected an integer >= 0`);
    }
    if (!Number.isInteger(c.generation) || c.generation < 0) {
      throw new SelectionError(`node '${c.id}' has generation ${c.generation}; expected an integer >= 0`);
    }
  }
}

/**
 * The eligible candidates with a_i, in snapshot order. Throws SelectionError when there is none,
 * or when a node marked eligible lacks a score in some domain (a caller bug, not a draw to make).
 */
export function rankEligible(snapshot: SelectionSnapshot): Ranked[] {
  checkShape(snapshot);
  const total = snapshot.candidates.length;
  if (total === 0) throw new SelectionError('no eligible parent: the archive is empty');
  const ranked: Ranked[] = [];
  snapshot.candidates.forEach((c, order) => {
    if (!c.eligible) return;
    const missing = missingDomains(c.scores, snapshot.domains);
    if (missing.length > 0) {
      throw new SelectionError(
        `node '${c.id}' is marked eligible but has no train or val score in: ${missing.join(', ')}`,
      );
    }
    const score = meanRankingScore(c.scores, snapshot.domains);
    ranked.push({ id: c.id, generation: c.generation, childCount: c.childCount, score, order });
  });
  if (ranked.length === 0) {
    throw new SelectionError(
      `no eligible parent: all ${total} node(s) are ineligible (empty patch, failed validation, ` +
        'a domain without a score, or barred after a meta-agent crash/timeout)',
    );
  }
  return ranked;
}
